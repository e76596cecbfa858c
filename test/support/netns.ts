// Network-namespace labs on the host kernel: one namespace per topology host, a veth pair per interface
// (the namespace end named as in the topology), the real lbctl CLI run inside, and snapshots of what it changed.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';

/** Repository root and the CLI shim the tests run as a child process. */
export const REPO = join(import.meta.dirname, '..', '..');
export const LBCTL = join(REPO, 'bin', 'lbctl');

/** What a finished child process left behind. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell) and returns its exit code and output; never throws on a non-zero exit. */
export async function run(argv: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  const [file, ...args] = argv;
  const r = await execa(file!, args, {
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    cwd: options.cwd ?? REPO,
    timeout: options.timeoutMs ?? 30_000,
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs argv and throws with its stderr unless it exits 0. */
export async function must(argv: readonly string[]): Promise<string> {
  const r = await run(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Why namespace tests cannot run here (null when they can): not root, or `ip netns` does not work. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (creating network namespaces needs CAP_SYS_ADMIN)';
  const probe = `lbt-${randomBytes(3).toString('hex')}-probe`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.error || added.status !== 0) return `\`ip netns add\` does not work here: ${added.error?.message ?? added.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

/** An interface of a lab host: its name inside the namespace and its addresses. */
export interface LabInterface {
  name: string;
  addresses: string[];
}

/** Namespaces and host-side veth ends created by one test, all removed by `cleanup`. */
export class NetnsLab {
  readonly id = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly hostEnds: string[] = [];

  /** Creates namespace lbt-ID-HOST with lo up and one veth per interface (the host end stays down, unaddressed). */
  async host(name: string, interfaces: readonly LabInterface[]): Promise<string> {
    const ns = `lbt-${this.id}-${name}`;
    this.namespaces.push(ns);
    await must(['ip', 'netns', 'add', ns]);
    await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    for (const iface of interfaces) {
      const hostEnd = `lb${this.id}h${this.hostEnds.length}`;
      this.hostEnds.push(hostEnd);
      await must(['ip', 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', iface.name, 'netns', ns]);
      for (const a of iface.addresses) await must(['ip', '-n', ns, 'addr', 'add', a, 'dev', iface.name]);
      await must(['ip', '-n', ns, 'link', 'set', iface.name, 'up']);
    }
    return ns;
  }

  /**
   * Deletes the host-side veth ends (which takes their peers along) and the namespaces, then waits until both are
   * gone: namespace deletion is asynchronous, and a leftover veth end makes the next `ip link add` fail.
   */
  async cleanup(): Promise<void> {
    for (const end of this.hostEnds.splice(0)) await run(['ip', 'link', 'del', end]);
    const namespaces = this.namespaces.splice(0);
    for (const ns of namespaces) await run(['ip', 'netns', 'del', ns]);
    for (let i = 0; i < 50; i++) {
      const [links, list] = await Promise.all([run(['ip', '-o', 'link', 'show']), run(['ip', 'netns', 'list'])]);
      if (!links.stdout.includes(`lb${this.id}h`) && !namespaces.some((ns) => list.stdout.includes(ns))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`lab ${this.id}: namespaces or veth ends still present after cleanup`);
  }
}

/** Runs `ip netns exec NS env NO_COLOR=1 [PATH=...] node bin/lbctl ARGS...`. */
export function lbctlIn(
  ns: string,
  args: readonly string[],
  options: { path?: string; timeoutMs?: number; env?: readonly string[] } = {},
): Promise<Run> {
  const env = ['NO_COLOR=1', ...(options.path === undefined ? [] : [`PATH=${options.path}`]), ...(options.env ?? [])];
  return run(
    ['ip', 'netns', 'exec', ns, 'env', ...env, process.execPath, LBCTL, ...args],
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
}

/** The changes a human-format plan lists ("+ address lo ...", "~ sysctl ..."), without unmanaged notes. */
export function plannedChanges(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^ {2}[+~-] /.test(l))
    .map((l) => l.trim());
}

/** The namespace's addresses as "IFNAME ADDRESS/LEN", sorted. */
export async function addresses(ns: string): Promise<string[]> {
  const links = JSON.parse(await must(['ip', '-n', ns, '-j', 'addr', 'show'])) as {
    ifname: string;
    addr_info: { local: string; prefixlen: number }[];
  }[];
  return links.flatMap((l) => l.addr_info.map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`)).sort();
}

/** The namespace's IPv4 and IPv6 routes as "DST via GATEWAY dev DEV", sorted. */
export async function routes(ns: string): Promise<string[]> {
  const out: string[] = [];
  for (const family of ['-4', '-6']) {
    const list = JSON.parse(await must(['ip', '-n', ns, '-j', family, 'route', 'show'])) as {
      dst: string;
      gateway?: string;
      dev?: string;
    }[];
    out.push(...list.map((r) => `${r.dst} via ${r.gateway ?? '-'} dev ${r.dev ?? '-'}`));
  }
  return out.sort();
}

/** Values of sysctls inside the namespace, by key. */
export async function sysctls(ns: string, keys: readonly string[]): Promise<Record<string, string>> {
  const values = (await must(['ip', 'netns', 'exec', ns, 'sysctl', '-n', ...keys])).trim().split('\n');
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));
}

/** Every file below `root` except lbctl's own bookkeeping (ledger, lock): path → mode and content. */
export async function filesBelow(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (rel === 'var/lib/lbctl' || rel === 'run') continue;
      if (entry.isDirectory()) await walk(path);
      else out[rel] = `${((await stat(path)).mode & 0o7777).toString(8)} ${await readFile(path, 'utf8')}`;
    }
  };
  await walk(root);
  return out;
}

/** What a DR real-server apply touches, for before/after comparisons. */
export async function snapshot(ns: string, root: string, keys: readonly string[]) {
  return { addresses: await addresses(ns), routes: await routes(ns), sysctls: await sysctls(ns, keys), files: await filesBelow(root) };
}
