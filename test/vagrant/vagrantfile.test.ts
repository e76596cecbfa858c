// The Vagrantfile, evaluated by Ruby against a recording stand-in for Vagrant (fake-vagrant.rb), for every
// example topology: its machines, NICs and addresses must be what `lbctl lab plan --format json` says, and each
// machine's provisioning must converge it with `lbctl apply --host NAME` (FRR on routing hosts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabHost, LabPlan } from '../../src/lab/plan.js';
import { desiredStates } from '../../src/desired/desired.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';

const REPO = join(import.meta.dirname, '..', '..');
const VAGRANTFILE = join(REPO, 'Vagrantfile');
const FAKE = join(import.meta.dirname, 'fake-vagrant.rb');
const TOPOLOGIES = readdirSync(join(REPO, 'topologies'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => join(REPO, 'topologies', f));

interface Network {
  type: string;
  options: { ip: string; netmask: string | number; virtualbox__intnet: string; mac: string; auto_config: boolean };
}
interface Provision {
  name: string;
  options: { type: string; inline?: string; source?: string; destination?: string; reboot?: boolean };
}
interface Machine {
  name: string;
  settings: { hostname?: string };
  networks: Network[];
  providers: { virtualbox?: { name: string; memory: number; customize: string[][] } };
  provisions: Provision[];
}
interface Evaluated {
  vm: { settings: { box?: string }; syncedFolders: { destination: string; options: { type?: string } }[] };
  machines: Machine[];
}

function ruby(args: string[], env: Record<string, string>) {
  const r = spawnSync('ruby', args, {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, LBCTL_NODE: process.execPath, ...env },
    timeout: 60_000,
  });
  if (r.error) throw new Error(`cannot run ruby (test/ensure-deps.sh installs it): ${r.error.message}`);
  return r;
}

function evaluate(topology: string): Evaluated {
  const r = ruby([FAKE, VAGRANTFILE], { LBCTL_TOPOLOGY: topology });
  if (r.status !== 0) throw new Error(`Vagrantfile failed for ${topology}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Evaluated;
}

function labPlanOf(topology: string): LabPlan {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'lbctl'), 'lab', 'plan', topology, '--format', 'json'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`lbctl lab plan ${topology}: ${r.stderr}`);
  return JSON.parse(r.stdout) as LabPlan;
}

function loaded(topology: string): Topology {
  const r = loadTopology(topology, readFileSync(topology, 'utf8'));
  if (!r.topology) throw new Error(JSON.stringify(r.diagnostics));
  return r.topology;
}

function routingHosts(topology: string): Map<string, string> {
  return new Map([...loaded(topology).hosts.values()].filter((h) => h.routing).map((h) => [h.name, h.routing?.flavour ?? 'frr']));
}

const netmaskOf = (cidr: string): string | number => {
  const [ip = '', len = ''] = cidr.split('/');
  if (ip.includes(':')) return Number(len);
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 0xff).join('.');
};
const colonMac = (mac: string) => mac.toLowerCase().match(/../g)!.join(':');
const provision = (m: Machine, name: string) => {
  const p = m.provisions.find((x) => x.name === name);
  if (!p) throw new Error(`machine ${m.name} has no provisioner ${name}`);
  return p.options;
};

describe.each(TOPOLOGIES.map((t) => [basename(t), t]))('Vagrantfile for %s', (_, topology) => {
  const evaluated = evaluate(topology);
  const plan = labPlanOf(topology);
  const labHosts: LabHost[] = [...plan.hosts, ...(plan.router ? [plan.router] : [])];
  const routing = routingHosts(topology);
  const byName = new Map(evaluated.machines.map((m) => [m.name, m]));
  const lab = basename(topology, '.yaml');

  it('defines one Debian 12 VM per lab host, plus gw exactly when the lab has a gateway router', () => {
    expect(evaluated.machines.map((m) => m.name)).toEqual(labHosts.map((h) => h.name));
    expect(byName.has('gw')).toBe(plan.router !== null);
    expect(evaluated.vm.settings.box).toBe('debian/bookworm64');
    expect(evaluated.vm.syncedFolders).toContainEqual(
      expect.objectContaining({ destination: '/vagrant', options: expect.objectContaining({ type: 'rsync' }) }),
    );
  });

  it("gives each VM one internal network per interface, with lbctl's network, address and netmask", () => {
    for (const h of labHosts) {
      const m = byName.get(h.name)!;
      expect(m.networks.map((n) => n.type)).toEqual(h.interfaces.map(() => 'private_network'));
      expect(
        m.networks.map((n) => ({ intnet: n.options.virtualbox__intnet, ip: n.options.ip, netmask: n.options.netmask })),
        h.name,
      ).toEqual(
        h.interfaces.map((i) => ({
          intnet: `lbctl-${lab}-${i.network}`,
          ip: i.addresses[0]!.split('/')[0],
          netmask: netmaskOf(i.addresses[0]!),
        })),
      );
      for (const n of m.networks) {
        expect(n.options.auto_config).toBe(false);
        expect(n.options.mac).toMatch(/^02[0-9A-F]{10}$/);
      }
    }
    const macs = evaluated.machines.flatMap((m) => m.networks.map((n) => n.options.mac));
    expect(new Set(macs).size).toBe(macs.length);
  });

  it('names every NIC as the topology does (by MAC) and gives it every address of the interface', () => {
    for (const h of labHosts) {
      const m = byName.get(h.name)!;
      const script = provision(m, 'lbctl-network');
      expect(script.reboot).toBe(true);
      h.interfaces.forEach((i, k) => {
        expect(script.inline).toContain(`\n${colonMac(m.networks[k]!.options.mac)} ${i.name}\n`);
        expect(script.inline).toContain(`[Match]\nName=${i.name}\n`);
        for (const a of i.addresses) expect(script.inline).toContain(`\nAddress=${a}\n`);
      });
    }
  });

  it('converges each topology host with lbctl apply --host NAME; the gateway router only forwards', () => {
    for (const h of plan.hosts) {
      const m = byName.get(h.name)!;
      expect(provision(m, 'lbctl-topology')).toMatchObject({ type: 'file', source: topology, destination: '/tmp/lbctl-topology.yaml' });
      const apply = provision(m, 'lbctl-apply').inline!;
      expect(apply).toContain(`\nlbctl apply /etc/lbctl/topology.yaml --host ${h.name} --yes\n`);
      expect(apply.match(/lbctl apply .* --host (\S+)/g)).toEqual([`lbctl apply /etc/lbctl/topology.yaml --host ${h.name}`]);
      expect(provision(m, 'lbctl-packages').inline).toMatch(/NEEDS_NODE=1\n/);
      for (const port of h.httpPorts) expect(apply).toContain(`lbctl-vagrant-httpd@${port}.service`);
      for (const port of h.dnsPorts) expect(apply).toContain(`systemctl enable --now lbctl-vagrant-dns@${port}.service`);
      expect(apply.includes('lbctl-vagrant-dns@.service')).toBe(h.dnsPorts.length > 0);
      expect(provision(m, 'lbctl-packages').inline!.includes('dnsmasq-base')).toBe(h.dnsPorts.length > 0);
      // hosts with checks run lbctl agent as a service, with the unit lbctl prints
      expect(
        apply.includes(`lbctl agent /etc/lbctl/topology.yaml --host ${h.name} --print-unit > /etc/systemd/system/lbctl-agent.service`),
      ).toBe(h.agent);
    }
    if (plan.router) {
      const gw = byName.get('gw')!;
      expect(gw.provisions.map((p) => p.name)).toEqual(['lbctl-packages', 'lbctl-network', 'lbctl-router']);
      expect(provision(gw, 'lbctl-router').inline).toContain('net.ipv4.ip_forward = 1');
      expect(provision(gw, 'lbctl-packages').inline).toMatch(/NEEDS_NODE=0\n/);
    }
  });

  it("installs FRR on routing hosts only, and runs quagga-flavour configs with FRR's zebra and ospfd", () => {
    for (const m of evaluated.machines) {
      const packages = /PACKAGES=\(([^)]*)\)/.exec(provision(m, 'lbctl-packages').inline!)![1]!.split(' ');
      expect(packages.includes('frr'), m.name).toBe(routing.has(m.name));
      const apply = m.provisions.find((p) => p.name === 'lbctl-apply')?.options.inline ?? '';
      expect(apply.includes('/etc/systemd/system/zebra.service'), m.name).toBe(routing.get(m.name) === 'quagga');
    }
  });

  it('installs keepalived on VRRP directors only', () => {
    const vrrp = new Set(
      [...desiredStates(loaded(topology)).values()].filter((s) => s.files.some((f) => f.check === 'keepalived')).map((s) => s.host),
    );
    for (const m of evaluated.machines) {
      const packages = /PACKAGES=\(([^)]*)\)/.exec(provision(m, 'lbctl-packages').inline!)![1]!.split(' ');
      expect(packages.includes('keepalived'), m.name).toBe(vrrp.has(m.name));
    }
  });

  it("keeps the VirtualBox NAT network off the topology's addresses", () => {
    const nat = evaluated.machines[0]!.providers.virtualbox!.customize.find((c) => c[2] === '--natnet1')?.[3] ?? '10.0.2.0/24';
    const used = labHosts.flatMap((h) => h.interfaces.flatMap((i) => i.addresses));
    const prefix24 = (cidr: string) => cidr.split('.').slice(0, 3).join('.');
    for (const a of used) expect(prefix24(a), a).not.toBe(prefix24(nat));
    for (const m of evaluated.machines)
      expect(m.providers.virtualbox?.customize ?? []).toEqual(evaluated.machines[0]!.providers.virtualbox!.customize);
  });

  it('writes shell scripts bash can parse', () => {
    for (const m of evaluated.machines) {
      for (const p of m.provisions.filter((x) => x.options.inline)) {
        const r = spawnSync('bash', ['-n'], { input: p.options.inline, encoding: 'utf8' });
        expect(r.status, `${m.name} ${p.name}: ${r.stderr}`).toBe(0);
      }
    }
  });
});

describe('Vagrantfile errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbctl-vagrant-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stops with lbctl's own message when the topology is invalid", () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: lbctl/v1\nnetworks: { lan: 10.0.0.0/24 }\nhosts:\n  a:\n    interfaces:\n      eth0: { network: nowhere, address: 10.0.0.1/24 }\n',
    );
    const r = ruby([FAKE, VAGRANTFILE], { LBCTL_TOPOLOGY: bad });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('lbctl Vagrantfile: `lbctl lab plan');
    expect(r.stderr).toContain('nowhere');
  });

  it('says what is missing when the topology file or node is', () => {
    const missing = ruby([FAKE, VAGRANTFILE], { LBCTL_TOPOLOGY: join(dir, 'absent.yaml') });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('lbctl Vagrantfile: topology file');
    const noNode = ruby([FAKE, VAGRANTFILE], { LBCTL_NODE: join(dir, 'no-node') });
    expect(noNode.status).not.toBe(0);
    expect(noNode.stderr).toMatch(/lbctl Vagrantfile: cannot run .*install Node 20/);
  });
});

// The boot-time rename (two passes by MAC) on real interfaces: veths in a throwaway network namespace.
const canNetns = process.getuid?.() === 0 && spawnSync('unshare', ['--net', 'true']).status === 0;
describe.skipIf(!canNetns)('the interface renaming the VMs run at boot', () => {
  it('swaps names the kernel already gave (eth0 <-> eth1) and renames the NAT NIC', () => {
    const inline = provision(evaluate(join(REPO, 'topologies', 'dr-web.yaml')).machines[0]!, 'lbctl-network').inline!;
    const script = /cat > \/usr\/local\/sbin\/lbctl-vagrant-ifnames <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(inline)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'lbctl-ifnames-'));
    try {
      writeFileSync(join(dir, 'rename.sh'), script);
      // eth0 plays Vagrant's NAT NIC, eth1 a topology NIC that must become eth0, eth2 one that keeps its name.
      writeFileSync(join(dir, 'map'), '02:00:00:00:00:01 vagrant0\n02:00:00:00:00:02 eth0\n02:00:00:00:00:03 eth2\n');
      const r = spawnSync(
        'unshare',
        [
          '--net',
          'sh',
          '-ec',
          [
            'ip link add eth0 address 02:00:00:00:00:01 type veth peer name p0',
            'ip link add eth1 address 02:00:00:00:00:02 type veth peer name p1',
            'ip link add eth2 address 02:00:00:00:00:03 type veth peer name p2',
            `LBCTL_VAGRANT_IFNAMES=${dir}/map sh ${dir}/rename.sh`,
            'for d in vagrant0 eth0 eth2; do echo "$d $(ip -o link show dev $d | grep -o \'link/ether [^ ]*\')"; done',
          ].join('\n'),
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(
        'vagrant0 link/ether 02:00:00:00:00:01\neth0 link/ether 02:00:00:00:00:02\neth2 link/ether 02:00:00:00:00:03\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
