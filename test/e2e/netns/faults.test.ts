// Faults during a real apply, one sample per class, in a network namespace of this kernel: lbctl killed with
// SIGKILL or interrupted with SIGINT in the middle of a change, a file system that is full or read-only. After each,
// what lbctl made is in its ledger (so a later topology can take it away), or the namespace is exactly as before.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { quoteWord as quote } from '../../../src/drivers/sh/quote.js';
import { addresses, LBCTL, lbctlIn, must, NetnsLab, netnsUnavailable, REPO, run, snapshot, sysctls } from '../../support/netns.js';
import { toolPath, writeScripts } from '../../support/wrappers.js';

const DR_WEB = join(REPO, 'topologies', 'dr-web.yaml');
const VIP = 'lo 192.168.10.100/32';
const ARP_KEYS = [
  'net.ipv4.conf.all.arp_ignore',
  'net.ipv4.conf.all.arp_announce',
  'net.ipv4.conf.eth0.arp_ignore',
  'net.ipv4.conf.eth0.arp_announce',
];
const UNAVAILABLE = netnsUnavailable();
const CI = Boolean(process.env.CI);

/** What the ledger below `root` says lbctl owns on web1. */
async function ownedOn(root: string): Promise<string[]> {
  const ledger = JSON.parse(await readFile(join(root, 'var/lib/lbctl/state.json'), 'utf8')) as {
    hosts: Record<string, { owned: string[] }>;
  };
  return ledger.hosts.web1?.owned ?? [];
}

describe.skipIf(UNAVAILABLE !== null && !CI)('faults during apply in a network namespace', () => {
  let lab: NetnsLab | undefined;
  const scratch: string[] = [];
  const pids: number[] = [];

  afterEach(async () => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await lab?.cleanup();
    for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function tempDir(what: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `lbctl-faults-${what}-`));
    scratch.push(dir);
    return dir;
  }

  /** web1 of dr-web.yaml in a fresh namespace with ARP settings at the kernel defaults, and an empty --root. */
  async function web1(): Promise<{ ns: string; root: string }> {
    lab = new NetnsLab();
    const ns = await lab.host('web1', [{ name: 'eth0', addresses: ['192.168.10.21/24'] }]);
    await must(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...ARP_KEYS.map((k) => `${k}=0`)]);
    return { ns, root: await tempDir('root') };
  }

  /**
   * An `ip` that, when apply sets the default route, notes its own PID in `marker` and waits `seconds` before doing
   * it: lbctl is then in the middle of its route change, after its VIP went on lo.
   */
  async function slowRoute(seconds: number): Promise<{ path: string; marker: string }> {
    const dir = await tempDir('wrap');
    const marker = join(dir, 'route-started');
    const real = quote(toolPath('ip'));
    writeScripts(join(dir, 'bin'), {
      ip: `case "$*" in *"route replace default"*) echo $$ > ${quote(marker)}; sleep ${seconds};; esac\nexec ${real} "$@"`,
    });
    return { path: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, marker };
  }

  /** Starts `lbctl apply` of dr-web.yaml's web1 in `ns` as a child; resolves once its route change has started. */
  async function applyUntilRoute(ns: string, root: string, path: string, marker: string) {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'env',
        'NO_COLOR=1',
        `PATH=${path}`,
        process.execPath,
        LBCTL,
        'apply',
        DR_WEB,
        '--host',
        'web1',
        '--yes',
        '--root',
        root,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    pids.push(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    for (let i = 0; i < 400 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker), `apply never reached its route change: ${stderr}`).toBe(true);
    pids.push(Number((await readFile(marker, 'utf8')).trim()));
    return { pid: child.pid!, exited, output: () => ({ stdout, stderr }) };
  }

  it('SIGKILL in the middle of a change: the VIP already on lo is in the ledger, so a later topology without web1 removes it', async () => {
    const { ns, root } = await web1();
    const before = await snapshot(ns, root, ARP_KEYS);
    const { path, marker } = await slowRoute(30);
    const apply = await applyUntilRoute(ns, root, path, marker);
    process.kill(apply.pid, 'SIGKILL');
    await apply.exited;
    expect(await addresses(ns)).toContain(VIP);
    expect(await ownedOn(root)).toEqual(expect.arrayContaining([`address ${VIP}`, 'route inet default']));

    const again = await lbctlIn(ns, ['apply', DR_WEB, '--host', 'web1', '--yes', '--root', root]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('host web1 verified converged');

    // web1 leaves every service: everything lbctl made goes, and the ARP sysctls get their old values back.
    const gone = join(await tempDir('topology'), 'dr-web-without-web1.yaml');
    await writeFile(
      gone,
      (await readFile(DR_WEB, 'utf8'))
        .replace('      - { host: web1, weight: 3 }\n', '')
        .replace('realServers: [web1, web2, web3]', 'realServers: [web2, web3]'),
    );
    const removed = await lbctlIn(ns, ['apply', gone, '--host', 'web1', '--yes', '--root', root]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`- address ${VIP}`);
    expect(await addresses(ns)).not.toContain(VIP);
    expect(await sysctls(ns, ARP_KEYS)).toEqual(before.sysctls);
  }, 60_000);

  it('SIGINT in the middle of a change: apply finishes that change, rolls everything back and exits 130', async () => {
    const { ns, root } = await web1();
    const before = await snapshot(ns, root, ARP_KEYS);
    const { path, marker } = await slowRoute(2);
    const apply = await applyUntilRoute(ns, root, path, marker);
    process.kill(apply.pid, 'SIGINT');
    const code = await apply.exited;
    const { stderr } = apply.output();
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('apply interrupted before: + file /etc/sysctl.d/90-lbctl.conf');
    expect(stderr).toMatch(/rolled back 6 change\(s\) in reverse order/);
    expect(await snapshot(ns, root, ARP_KEYS)).toEqual(before);
    expect(await ownedOn(root)).toEqual([]);
  }, 60_000);

  it.each([
    ['full', 'size=8k', /has \d+ KiB free; lbctl needs \d+ KiB/],
    ['read-only', 'size=4m,ro', /is not writable \(read-only file system or permissions\)/],
  ])(
    'a %s file system under --root: refused before anything changes (exit 69)',
    async (_what, options, message) => {
      const { ns, root } = await web1();
      const before = { addresses: await addresses(ns), sysctls: await sysctls(ns, ARP_KEYS) };
      // The tmpfs exists only in a private mount namespace of this one apply: this machine's mounts are untouched.
      const mountAndApply = `mount -t tmpfs -o ${options} lbctl-test "$1" && shift && exec "$@"`;
      const r = await run([
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        mountAndApply,
        'sh',
        root,
        'ip',
        'netns',
        'exec',
        ns,
        'env',
        'NO_COLOR=1',
        process.execPath,
        LBCTL,
        'apply',
        DR_WEB,
        '--host',
        'web1',
        '--yes',
        '--root',
        root,
      ]);
      expect(r.code, r.stderr).toBe(69);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('nothing was changed');
      expect({ addresses: await addresses(ns), sysctls: await sysctls(ns, ARP_KEYS) }).toEqual(before);
    },
    60_000,
  );
});
