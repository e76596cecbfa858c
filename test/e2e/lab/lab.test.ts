// `lbctl lab` on this machine's kernel: real namespaces, bridges, veths, busybox httpd; root only.
// Every packet stays inside namespaces these tests create; `lab down` must leave nothing behind.
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { labUp } from '../../../src/lab/build.js';
import { labDown } from '../../../src/lab/down.js';
import { labDir } from '../../../src/lab/names.js';
import { liveNamespaces } from '../../../src/lab/namespaces.js';
import { labPlan } from '../../../src/lab/plan.js';
import { startHttpd } from '../../../src/lab/services.js';
import { readLabState, writeLabState } from '../../../src/lab/state.js';
import { localRunner } from '../../../src/host/adapters/exec.js';
import type { Runner } from '../../../src/host/port.js';
import { loadTopology } from '../../../src/topology/load.js';
import { runCli } from '../../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../../..');
const topologyFile = (name: string) => join(ROOT, 'topologies', `${name}.yaml`);
const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT) console.log('lab e2e tests skipped: they create network namespaces and need root');
const LABS = ['e2eany', 'e2enoipvs', 'e2edr', 'e2eapply', 'e2ecrash', 'e2efail'];

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const inNs = (ns: string, argv: string[]) => execa('ip', ['netns', 'exec', ns, ...argv], { reject: false });
const curl = (lab: string, url: string) => inNs(`lbl-${lab}-client`, ['curl', '-sS', '--noproxy', '*', '--max-time', '3', url]);

/** Asserts the lab left nothing: no namespace with its prefix, no state dir. */
async function expectGone(lab: string): Promise<void> {
  expect(await liveNamespaces(localRunner, lab)).toEqual([]);
  expect(await exists(labDir(lab))).toBe(false);
}

describe.runIf(process.env.CI && !IS_ROOT)('lab e2e under CI', () => {
  it('runs as root', () => {
    expect.fail('CI is set but the lab e2e tests are not running as root: run the suite as root');
  });
});

describe.runIf(IS_ROOT)('lbctl lab on this kernel', { timeout: 60_000 }, () => {
  afterAll(async () => {
    for (const lab of LABS) await labDown(lab, localRunner);
  });

  it('builds dns-anycast-ospf.yaml with --no-apply: pc reaches R2; lab down removes everything, twice', async () => {
    const up = await runCli('lab', 'up', topologyFile('dns-anycast-ospf'), '--name', 'e2eany', '--no-apply');
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect((await liveNamespaces(localRunner, 'e2eany')).sort()).toEqual(
      ['dns1', 'dns2', 'dns3', 'gw', 'pc', 'r1', 'r2', 'sw'].map((h) => `lbl-e2eany-${h}`),
    );
    expect(
      await runCli('lab', 'exec', 'pc', '--name', 'e2eany', '--', 'busybox', 'ping', '-q', '-c', '1', '-W', '2', '10.211.66.254'),
    ).toMatchObject({ code: 0 });
    // dns1 -> synthetic gateway 10.0.0.1 -> core network -> r1: the router forwards between the networks it serves
    expect((await inNs('lbl-e2eany-dns1', ['busybox', 'ping', '-q', '-c', '1', '-W', '2', '10.211.55.17'])).exitCode).toBe(0);
    const rootLinks = (await execa('ip', ['-j', 'link', 'show'])).stdout;
    for (const name of ['br-core', 'pc-eth0', 'gw-core']) expect(rootLinks).not.toContain(`"${name}"`);
    const status = await runCli('lab', 'status', '--name', 'e2eany');
    expect(status.stdout).toContain('host pc (lbl-e2eany-pc)');
    expect(status.stdout).toContain('default via 10.211.66.254 dev eth0');
    expect(await runCli('lab', 'down', '--name', 'e2eany')).toEqual({
      code: 0,
      stdout: 'lab e2eany removed: 8 namespace(s), 0 web server(s)\n',
      stderr: '',
    });
    await expectGone('e2eany');
    expect(await runCli('lab', 'down', '--name', 'e2eany')).toEqual({ code: 0, stdout: 'lab e2eany: nothing to remove\n', stderr: '' });
  });

  it('refuses dr-web.yaml on a kernel without IPVS in one sentence, before creating anything', async ({ skip }) => {
    if (await exists('/proc/net/ip_vs')) skip('this kernel has IPVS');
    const up = await runCli('lab', 'up', topologyFile('dr-web'), '--name', 'e2enoipvs');
    expect(up.code).toBe(69);
    expect(up.stderr).toBe(
      `lbctl: host director needs IPVS, which this kernel does not have (/proc/net/ip_vs is missing): run the lab in the IPVS VM with \`lbctl lab run ${topologyFile('dr-web')} --name e2enoipvs --vm\` (up, traffic check or \`-- CMD\`, down), or build the network only with --no-apply; nothing was created\n`,
    );
    await expectGone('e2enoipvs');
  });

  it("serves each real server's name over HTTP on its own address after applying web1 and web2 by hand", async () => {
    const lab = 'e2edr';
    expect(await runCli('lab', 'up', topologyFile('dr-web'), '--name', lab, '--no-apply')).toMatchObject({ code: 0 });
    const state = (await readLabState(lab))!;
    for (const host of state.plan.hosts.filter((h) => h.name === 'web1' || h.name === 'web2')) {
      const apply = await inNs(host.namespace, [
        process.execPath,
        join(ROOT, 'bin/lbctl'),
        'apply',
        topologyFile('dr-web'),
        '--host',
        host.name,
        '--yes',
        '--root',
        join(labDir(lab), host.name),
      ]);
      expect(apply.stderr).toBe('');
      expect(apply.stdout).toContain(`host ${host.name} verified converged`);
      for (const port of host.httpPorts) state.services.push(await startHttpd(lab, host, port));
      await writeLabState(state);
    }
    // the DR real servers' ARP settings landed in their namespaces, not on this machine
    expect((await inNs('lbl-e2edr-web1', ['sysctl', '-n', 'net.ipv4.conf.all.arp_ignore'])).stdout.trim()).toBe('1');
    expect(await readFile(join(labDir(lab), 'web1/etc/sysctl.d/90-lbctl.conf'), 'utf8')).toContain('arp_ignore = 1');
    expect((await curl(lab, 'http://192.168.10.21/')).stdout).toBe('web1');
    expect((await curl(lab, 'http://192.168.10.22:443/')).stdout).toBe('web2');
    expect((await curl(lab, 'http://192.168.10.23/')).exitCode).not.toBe(0);
    const pids = state.services.map((s) => s.pid);
    expect(await runCli('lab', 'down', '--name', lab)).toMatchObject({
      code: 0,
      stdout: 'lab e2edr removed: 7 namespace(s), 4 web server(s)\n',
    });
    for (const pid of pids)
      expect(await exists(`/proc/${pid}/cmdline`).then(async (e) => e && (await readFile(`/proc/${pid}/cmdline`, 'utf8')) !== '')).toBe(
        false,
      );
    await expectGone(lab);
  });

  it('applies every host with lbctl apply when no host needs IPVS: sysctls and files stay in the lab', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lbctl-lab-'));
    const file = join(dir, 'routed.yaml');
    await writeFile(
      file,
      `apiVersion: lbctl/v1
networks: { left: 10.77.1.0/24, right: 10.77.2.0/24 }
hosts:
  rtr:
    roles: [router]
    interfaces:
      eth0: { network: left, address: 10.77.1.1/24 }
      eth1: { network: right, address: 10.77.2.1/24 }
    gateway: 10.77.1.254
  a:
    interfaces: { eth0: { network: left, address: 10.77.1.10/24 } }
    routes: { 10.77.2.0/24: 10.77.1.1 }
  b:
    interfaces: { eth0: { network: right, address: 10.77.2.10/24 } }
    gateway: 10.77.2.1
`,
    );
    const hostForwarding = (await execa('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout;
    try {
      const up = await runCli('lab', 'up', file, '--name', 'e2eapply');
      expect(up.stderr).toBe('');
      expect(up.stdout).toContain('rtr: applied');
      expect((await inNs('lbl-e2eapply-rtr', ['sysctl', '-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe('1');
      expect((await execa('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout).toBe(hostForwarding);
      expect((await inNs('lbl-e2eapply-a', ['busybox', 'ping', '-q', '-c', '1', '-W', '2', '10.77.2.10'])).exitCode).toBe(0);
      expect((await inNs('lbl-e2eapply-rtr', ['busybox', 'ping', '-q', '-c', '1', '-W', '2', '10.77.1.254'])).exitCode).toBe(0);
      expect(await exists(join(labDir('e2eapply'), 'rtr/etc/sysctl.d/90-lbctl.conf'))).toBe(true);
    } finally {
      await runCli('lab', 'down', '--name', 'e2eapply');
      await rm(dir, { recursive: true });
    }
    await expectGone('e2eapply');
  });

  it('removes, after a crash, namespaces with the lab prefix that no record mentions, and spares other labs', async () => {
    await execa('ip', ['netns', 'add', 'lbl-e2ecrash-stray']);
    await execa('ip', ['netns', 'add', 'lbl-e2ecrash2-other']);
    try {
      await execa('ip', ['-n', 'lbl-e2ecrash-stray', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
      expect(await runCli('lab', 'down', '--name', 'e2ecrash')).toMatchObject({
        code: 0,
        stdout: 'lab e2ecrash removed: 1 namespace(s), 0 web server(s)\n',
      });
      await expectGone('e2ecrash');
      expect(await liveNamespaces(localRunner, 'e2ecrash2')).toEqual(['lbl-e2ecrash2-other']);
    } finally {
      await execa('ip', ['netns', 'del', 'lbl-e2ecrash2-other']);
    }
  });

  it('removes everything it built when a step fails half-way', async () => {
    const text = await readFile(topologyFile('dr-web'), 'utf8');
    const topology = loadTopology('dr-web.yaml', text).topology!;
    // The batch that makes web2's veth fails, as ip says it when its second line fails.
    const failing: Runner = {
      run: (argv, options) =>
        argv.includes('lbl-e2efail-web2') && options?.stdin?.includes(' type veth ')
          ? Promise.resolve({ exitCode: 1, stdout: '', stderr: 'injected failure\nCommand failed -:2\n' })
          : localRunner.run(argv, options),
    };
    const up = labUp(
      { topology, file: topologyFile('dr-web'), plan: labPlan(topology, 'e2efail'), apply: false },
      failing,
      () => undefined,
    );
    await expect(up).rejects.toThrow(
      'lab e2efail could not be built, everything it created was removed: ip -n lbl-e2efail-web2 -batch - exited 1: injected failure\nCommand failed -:2\n  1: link set lo up\n  2: link add eth0 type veth peer name web2-eth0 netns lbl-e2efail-sw',
    );
    await expectGone('e2efail');
  });
});
