// This machine as a Host: commands through execa, files below a root directory, the kernel lock, FRR's parser.
import { access, constants, statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { gatherOneByOne, type Host, type HostFacts, type Runner } from '../port.js';
import { checkFrrContent } from './frr-check.js';
import { checkKeepalivedContent } from './keepalived-check.js';
import { localLockSite, LOCK_PATH, takeLock } from './flock.js';
import { localFiles, type IdLookup } from './local-files.js';
import { localFeed, localRunner } from './exec.js';

/** Room kept free beyond what an apply writes, so a nearly full file system is refused before anything changes. */
const SPARE_BYTES = 1 << 20;

const exists = (path: string, mode = constants.F_OK) =>
  access(path, mode).then(
    () => true,
    () => false,
  );

/** The numeric ids of a user and group, from the host's own name service (getent). */
export function idLookup(runner: Runner): IdLookup {
  return async (owner, group) => {
    const field = async (db: string, name: string) => {
      const r = await runner.run(['getent', db, name]);
      const id = Number(r.stdout.split(':')[2]);
      if (r.exitCode !== 0 || !Number.isInteger(id))
        throw new Error(
          `${db === 'passwd' ? 'user' : 'group'} ${name} does not exist on this host: install the daemon that owns it (e.g. apt-get install frr) first`,
        );
      return id;
    };
    return { uid: await field('passwd', owner), gid: await field('group', group) };
  };
}

/** The nearest directory of `path` that exists (what a write below it will land on). */
async function existingAncestor(path: string): Promise<string> {
  let dir = path;
  while (!(await exists(dir)) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Why files cannot be written in `dirs` of this machine (no space, read-only, not writable), or null. */
export async function localUnwritable(dirs: readonly string[], bytes: number): Promise<string | null> {
  for (const dir of new Set(dirs)) {
    const base = await existingAncestor(dir);
    if (!(await exists(base, constants.W_OK))) return `${base} is not writable (read-only file system or permissions)`;
    const fs = await statfs(base);
    const free = fs.bavail * fs.bsize;
    if (free < bytes + SPARE_BYTES)
      return `${base} has ${Math.floor(free / 1024)} KiB free; lbctl needs ${Math.ceil((bytes + SPARE_BYTES) / 1024)} KiB`;
  }
  return null;
}

/** True when `tool` is an executable on this machine's PATH. */
async function onPath(tool: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (await exists(join(dir, tool), constants.X_OK)) return true;
  }
  return false;
}

/** IPVS on this kernel: /proc/net/ip_vs exists once ip_vs is loaded; else ask modprobe whether it could be. */
export async function ipvsState(runner: Runner): Promise<HostFacts['ipvs']> {
  if (await exists('/proc/net/ip_vs')) return 'loaded';
  return (await runner.run(['modprobe', '-n', '-q', 'ip_vs'])).exitCode === 0 ? 'loadable' : 'absent';
}

/** This machine, with files, the lock and the ledger below `root` ("/" for the live host). */
export function localHost(root = '/', runner: Runner = localRunner): Host {
  // Below a --root the files are for tests and images: they keep root's ownership.
  const files = localFiles(root, root === '/' ? idLookup(runner) : null);
  const host: Host = {
    label: root === '/' ? 'this machine' : `this machine below ${root}`,
    live: root === '/',
    run: (argv, options) => runner.run(argv, options),
    read: (path) => files.read(path),
    gather: (batch) => gatherOneByOne(host, batch),
    write: (file, options) => files.write(file, options),
    remove: (path, options) => files.remove(path, options),
    lock: (what) => takeLock(localLockSite(join(root, LOCK_PATH)), what),
    checkConfig: (file) => (file.check === 'keepalived' ? checkKeepalivedContent(file.content, runner) : checkFrrContent(file.content)),
    facts: async () => ({ uid: process.getuid?.() ?? 0, hostname: hostname(), ipvs: await ipvsState(runner) }),
    missingTools: async (tools) => {
      const missing: string[] = [];
      for (const tool of tools) if (!(await onPath(tool))) missing.push(tool);
      return missing;
    },
    unwritable: (dirs, bytes) =>
      localUnwritable(
        dirs.map((d) => join(root, d)),
        bytes,
      ),
    ...(runner === localRunner ? { feed: localFeed } : {}),
  };
  return host;
}
