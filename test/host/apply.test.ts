import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, planLive } from '../../src/host/live-plan.js';
import { desiredStates } from '../../src/desired/desired.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';
import { FakeHost } from '../support/fake-host.js';

const TOPOLOGIES = join(import.meta.dirname, '..', '..', 'topologies');

function load(file: string): Topology {
  const r = loadTopology(file, readFileSync(join(TOPOLOGIES, file), 'utf8'));
  expect(r.topology, JSON.stringify(r.diagnostics)).toBeDefined();
  return r.topology!;
}

/** Every host of every example topology, with its interface names (the fake's devices). */
const cases = readdirSync(TOPOLOGIES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) => {
    const t = load(file);
    return [...t.hosts.values()].map((h) => [file, h.name, h.interfaces.map((i) => i.name)] as const);
  });

const none = { owned: new Set<string>() };

describe('apply on a fake host', () => {
  it.each(cases)('%s %s: converges, verifies, and a second apply changes nothing', async (file, host, devices) => {
    const desired = desiredStates(load(file)).get(host)!;
    const fake = new FakeHost([...devices]);
    const plan = await planLive(desired, fake, none);
    const report = await applyPlan(desired, plan, fake, none);
    expect(report.execution.failure).toBeUndefined();
    expect(report.remaining?.changes).toEqual([]);
    const again = await planLive(desired, fake, none);
    expect(again.changes).toEqual([]);
  });

  it('batches every IPVS change of a director into one ipvsadm -R process', async () => {
    const desired = desiredStates(load('dns-six-load-balancers.yaml')).get('lb1')!;
    const fake = new FakeHost(['eth0', 'eth1']);
    const report = await applyPlan(desired, await planLive(desired, fake, none), fake, none);
    const ipvsProcesses = fake.log.filter((l) => l.startsWith('ipvsadm-restore') || /^ipvsadm -[AEDaedR]/.test(l));
    expect(ipvsProcesses).toEqual(['ipvsadm -R']);
    expect(report.plan.changes.filter((c) => c.kind.startsWith('ipvs')).length).toBeGreaterThan(1);
  });

  describe('addresses go to the host as one ip -batch process', () => {
    const topology = () => {
      const text = `apiVersion: lbctl/v1
networks: { lan: 10.0.0.0/24 }
hosts:
  d: { interfaces: { eth0: { network: lan, address: 10.0.0.1/24 } } }
services:
${[1, 2, 3].map((i) => `  s${i}: { vip: 10.0.0.10${i}, port: 80, method: dr, directors: [d], realServers: ["10.0.0.5"] }`).join('\n')}
`;
      const r = loadTopology('t.yaml', text);
      return desiredStates(r.topology!).get('d')!;
    };

    it('adds three VIPs with one process', async () => {
      const desired = topology();
      const fake = new FakeHost(['eth0']);
      const report = await applyPlan(desired, await planLive(desired, fake, none), fake, none);
      expect(report.remaining?.changes).toEqual([]);
      expect(fake.log.filter((l) => l.startsWith('ip ') && !l.startsWith('ip -j'))).toEqual(['ip -batch -']);
      expect(fake.addressKeys()).toEqual(['eth0 10.0.0.101/32', 'eth0 10.0.0.102/32', 'eth0 10.0.0.103/32', 'lo 127.0.0.1/8']);
    });

    it('a failure at the second address: the first is taken back, the host is as before', async () => {
      const desired = topology();
      const fake = new FakeHost(['eth0']);
      const before = fake.snapshot();
      fake.failWhen = (argv) => argv.join(' ') === 'ip addr add 10.0.0.102/32 dev eth0';
      const report = await applyPlan(desired, await planLive(desired, fake, none), fake, none);
      expect(report.execution.failure?.change.key).toBe('eth0 10.0.0.102/32');
      expect(report.execution.failure?.error.message).toContain('line: addr add 10.0.0.102/32 dev eth0');
      fake.failWhen = () => false;
      expect(fake.snapshot()).toBe(before);
    });
  });

  it('changes one weight in place: the rest of the IPVS table stays (no ipvsadm-restore, which clears it first)', async () => {
    const desired = desiredStates(load('dr-web.yaml')).get('director')!;
    const text = readFileSync(join(TOPOLOGIES, 'dr-web.yaml'), 'utf8').replace('{ host: web2, weight: 2 }', '{ host: web2, weight: 4 }');
    const edited = desiredStates(loadTopology('dr-web.yaml', text).topology!).get('director')!;
    const fake = new FakeHost(['eth0']);
    await applyPlan(desired, await planLive(desired, fake, none), fake, none);
    const plan = await planLive(edited, fake, none);
    expect(plan.changes.filter((c) => c.kind.startsWith('ipvs')).map((c) => `${c.action} ${c.key}`)).toEqual([
      expect.stringMatching(/^update .*192\.168\.10\.22:80$/),
    ]);
    const report = await applyPlan(edited, plan, fake, none);
    expect(report.execution.failure).toBeUndefined();
    expect(report.remaining?.changes).toEqual([]);
    const vipPorts = [...fake.ipvs.values()].filter((sv) => sv.id.protocol === 'tcp');
    expect(vipPorts.map((sv) => sv.destinations.map((d) => d.weight))).toEqual([
      [3, 4, 1],
      [1, 1, 1],
    ]);
  });

  describe.each([
    [
      'a sysctl',
      (argv: readonly string[]) => argv[0] === 'sysctl' && argv.at(-1) === 'net.ipv4.conf.eth0.arp_ignore=1',
      'dr-web.yaml',
      'web1',
    ],
    ['the address', (argv: readonly string[]) => argv[0] === 'ip' && argv[1] === 'addr', 'dr-web.yaml', 'web1'],
    ['a file write', (argv: readonly string[]) => argv[0] === 'write' && argv[1] === '/etc/sysctl.d/90-lbctl.conf', 'dr-web.yaml', 'web1'],
    [
      'the IPVS batch',
      (argv: readonly string[], stdin?: string) => argv[0] === 'ipvsadm' && argv[1] === '-R' && (stdin ?? '').includes('-a'),
      'dr-web.yaml',
      'director',
    ],
    ['the tunnel link', (argv: readonly string[]) => argv[0] === 'ip' && argv[1] === 'link', 'tun-three-datacentres.yaml', 'rs-tokyo'],
    ['the routing reload', (argv: readonly string[]) => argv[0] === 'systemctl', 'dns-anycast-ospf.yaml', 'dns1'],
  ])('when %s fails', (_what, failWhen, file, host) => {
    it('stops, reports the failing command, and leaves the host as it was', async () => {
      const t = load(file);
      const desired = desiredStates(t).get(host)!;
      const fake = new FakeHost(t.hosts.get(host)!.interfaces.map((i) => i.name));
      fake.sysctls.set('net.ipv4.conf.all.arp_ignore', '0');
      const before = fake.snapshot();
      fake.failWhen = failWhen;
      const report = await applyPlan(desired, await planLive(desired, fake, none), fake, none);
      expect(report.execution.failure?.error.message).toMatch(/injected failure/);
      expect(report.remaining).toBeNull();
      fake.failWhen = () => false;
      expect(fake.snapshot()).toBe(before);
    });
  });
});
