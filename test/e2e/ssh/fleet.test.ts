// The fleet over SSH, on this kernel: dns-anycast-ospf.yaml built as a lab (network only), an OpenSSH server in each
// host's namespace (its /etc and /var overlays, so nothing of this machine changes), lbctl run from the lab's router
// namespace with an inventory. Live plans over SSH equal plans from captures; apply --all converges every host and a
// second run changes nothing; a failure on the third host stops the rollout there (rolled back, later hosts untouched)
// and a rerun finishes; identity mismatch, an unreachable host and a sudo that wants a password are clear refusals.
// The ssh masters lbctl leaves are all closed at the end.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbctlIn, must, netnsUnavailable, REPO, run } from '../../support/netns.js';
import { SshLab } from '../../support/ssh-lab.js';

const FILE = join(REPO, 'topologies', 'dns-anycast-ospf.yaml');
const LAB = 'sshfleet';
const ns = (host: string) => `lbl-${LAB}-${host}`;
/** Where lbctl runs: the lab's router, which reaches every host (pc through r2). */
const CONTROLLER = ns('gw');
/** Each host and the address the inventory reaches it at. */
const HOSTS: Record<string, string> = {
  r1: '10.211.55.17',
  r2: '10.211.55.18',
  pc: '10.211.66.1',
  dns1: '10.0.0.208',
  dns2: '10.0.0.209',
  dns3: '10.0.0.210',
};
const UNAVAILABLE = netnsUnavailable();
const CI = Boolean(process.env.CI);

/** An inventory reaching `hosts` (name → address) with the lab's client config, plus extra YAML under defaults.ssh. */
function inventory(ssh: SshLab, hosts: Record<string, string>, defaults = ''): string {
  const entries = Object.entries(hosts).map(([name, address]) => `  ${name}: { ssh: { host: "${address}" } }`);
  return `apiVersion: lbctl/v1\nkind: Inventory\ndefaults:\n  ssh: { config: ${ssh.clientConfig}${defaults} }\nhosts:\n${entries.join('\n')}\n`;
}

describe.skipIf(UNAVAILABLE !== null && !CI)('the fleet over SSH (namespaces with their own sshd)', () => {
  const ssh = new SshLab();
  let inv: string;

  beforeAll(async () => {
    if (UNAVAILABLE) throw new Error(`cannot run under CI: ${UNAVAILABLE}`);
    await run([process.execPath, join(REPO, 'bin', 'lbctl'), 'lab', 'down', '--name', LAB]);
    await must([process.execPath, join(REPO, 'bin', 'lbctl'), 'lab', 'up', FILE, '--name', LAB, '--no-apply']);
    // The controller reaches pc through r2, which forwards once lbctl has set it up (set here beforehand).
    await must(['ip', 'netns', 'exec', ns('r2'), 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    await must(['ip', '-n', CONTROLLER, 'route', 'replace', '10.211.66.0/24', 'via', HOSTS.r2!]);
    await ssh.prepare();
    for (const [host, address] of Object.entries(HOSTS)) await ssh.start(ns(host), address, CONTROLLER);
    inv = join(ssh.dir, 'inventory.yaml');
    await writeFile(inv, inventory(ssh, HOSTS));
  }, 120_000);

  afterAll(async () => {
    // lbctl leaves an ssh master per host and user for a minute (ControlPersist): every one of them ends.
    const left = await ssh.closeMasters();
    await ssh.stop();
    await run([process.execPath, join(REPO, 'bin', 'lbctl'), 'lab', 'down', '--name', LAB]);
    expect(left).toEqual([]);
  }, 60_000);

  const lbctl = (...args: string[]) => lbctlIn(CONTROLLER, args, { timeoutMs: 150_000, env: [`TMPDIR=${ssh.tmp}`] });
  /** Runs a command line on `host` over SSH, from the controller, as the lab's client does. */
  const onHost = (host: string, command: string) =>
    run(['ip', 'netns', 'exec', CONTROLLER, 'ssh', '-F', ssh.clientConfig, HOSTS[host]!, command]);

  it('plans every host live over SSH, read-only, and the plans equal those from captures of the same hosts', async () => {
    const live = await lbctl('plan', FILE, '--all', '--inventory', inv, '--format', 'json');
    expect(live.code, live.stderr).toBe(0);
    const captures = join(ssh.dir, 'captures');
    for (const host of Object.keys(HOSTS)) {
      // capture runs on the host itself: over SSH, in its namespace and overlays (lbctl is on the shared /work).
      const r = await onHost(host, `${process.execPath} ${join(REPO, 'bin', 'lbctl')} capture ${FILE} --host ${host} --out ${captures}`);
      expect(r.code, r.stderr).toBe(0);
    }
    const fromCaptures = await lbctl('plan', FILE, '--all', '--observed', captures, '--format', 'json');
    expect(fromCaptures.code, fromCaptures.stderr).toBe(0);
    expect(JSON.parse(live.stdout)).toEqual(JSON.parse(fromCaptures.stdout));
    expect(await readFile(ssh.systemctlLog, 'utf8').catch(() => '')).toBe('');
  }, 120_000);

  it('apply --all that fails on the third host stops there: two converged, the third rolled back, the rest untouched', async () => {
    const plan = async (host: string) => {
      const r = await lbctl('plan', FILE, '--host', host, '--inventory', inv, '--format', 'json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as unknown;
    };
    const before = { pc: await plan('pc'), dns1: await plan('dns1') };
    // One host after another: r1 and r2 (routers) first, then pc, whose systemctl fails after its route and unit file.
    expect((await onHost('pc', `touch ${SshLab.FAULT}`)).code).toBe(0);
    const failed = await lbctl('apply', FILE, '--all', '--inventory', inv, '--yes', '--parallel', '1');
    expect((await onHost('pc', `rm ${SshLab.FAULT}`)).code).toBe(0);
    expect(failed.code, `${failed.stderr}\n${failed.stdout}`).toBe(3);
    const lines = failed.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      expect.stringMatching(/^r1: converged \(\d+ change\(s\)\)$/),
      expect.stringMatching(/^r2: converged/),
    ]);
    expect(lines[2]).toMatch(/^pc: FAILED at finish: .*failure injected by the test.*; rolled back \d+ change\(s\)$/);
    expect(lines.slice(3, 6)).toEqual(['dns1', 'dns2', 'dns3'].map((h) => `${h}: not started (untouched)`));
    expect(lines[6]).toContain(`run \`lbctl apply ${FILE} --all --inventory ${inv} --yes\` again`);
    expect(await plan('pc')).toEqual(before.pc);
    expect(await plan('dns1')).toEqual(before.dns1);
  }, 180_000);

  it('apply --all run again goes on from there and converges every host in order; one more run changes nothing', async () => {
    const first = await lbctl('apply', FILE, '--all', '--inventory', inv, '--yes', '--parallel', '3');
    expect(first.code, `${first.stderr}\n${first.stdout}`).toBe(0);
    expect(first.stdout).toContain('every host converged');
    const order = first.stderr
      .split('\n')
      .filter((l) => / done /.test(l))
      .map((l) => l.split(' ')[1]);
    expect(order.indexOf('r1')).toBeLessThan(order.indexOf('dns1'));
    expect(order.indexOf('r2')).toBeLessThan(order.indexOf('pc'));
    const again = await lbctl('apply', FILE, '--all', '--inventory', inv, '--yes', '--format', 'json');
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { ok: boolean; hosts: { host: string; state: string }[] };
    expect(report.hosts.map((h) => h.state)).toEqual(Object.keys(HOSTS).map(() => 'unchanged'));
    const plan = await lbctl('plan', FILE, '--all', '--inventory', inv, '--detailed-exitcode');
    expect(plan.code, plan.stdout).toBe(0);
  }, 180_000);

  it('refuses to plan a machine that is not the host named, naming both, and an unreachable host', async () => {
    const swapped = join(ssh.dir, 'swapped.yaml');
    await writeFile(swapped, inventory(ssh, { r1: HOSTS.r2!, r2: HOSTS.r1! }));
    const r = await lbctl('plan', FILE, '--host', 'r1', '--inventory', swapped);
    expect(r.code, r.stderr).toBe(68);
    expect(r.stderr).toContain(
      `host r1 (ssh ${HOSTS.r2}) is not host r1 of the topology: the topology gives it 10.211.55.17 (eth0), 10.211.77.254 (eth1)`,
    );
    expect(r.stderr).toContain('10.211.55.18');
    const gone = join(ssh.dir, 'gone.yaml');
    await writeFile(gone, inventory(ssh, { r1: '10.211.55.99' }));
    const u = await lbctl('plan', FILE, '--host', 'r1', '--inventory', gone);
    expect(u.code).toBe(68);
    expect(u.stderr).toMatch(/^lbctl: cannot reach host r1 over SSH \(10\.211\.55\.99\): .*; nothing was changed\n$/);
  }, 60_000);

  it('refuses, changing nothing, when sudo asks for a password', async () => {
    const sudo = join(ssh.dir, 'sudo.yaml');
    await writeFile(sudo, inventory(ssh, { r1: HOSTS.r1! }, ', user: lbctltest, sudo: true'));
    const r = await lbctl('apply', FILE, '--host', 'r1', '--inventory', sudo, '--yes');
    expect(r.code).toBe(68);
    expect(r.stderr).toMatch(/^lbctl: sudo on host r1 \(lbctltest@10\.211\.55\.17\) does not run without a password/);
  }, 60_000);
});
