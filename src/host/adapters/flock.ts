// The apply lock: a kernel lock (flock(2)) held by a small `flock … cat` child for as long as lbctl runs. The kernel
// drops it when the holder ends, however it ends (a crash, kill -9): no stale lock is ever taken over by guesswork.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { LockHeld, type Release } from '../port.js';

/** Where the apply lock lives on a host (below the root). */
export const LOCK_PATH = '/run/lbctl.lock';

/** flock's exit status when another process holds the lock. */
const CONFLICT = 75;

/** Where the lock is and how to reach it: the command line that runs a command there, and the holder's note. */
export interface LockSite {
  /** The lock file's path on the host. */
  path: string;
  /** The local argv that runs `argv` on the host (itself for this machine; ssh … for a remote one). */
  command: (argv: readonly string[]) => string[];
  /** Why the lock path cannot be a lock (a directory, say), or null. */
  unusable: () => Promise<string | null>;
  readNote: () => Promise<string>;
  writeNote: (text: string) => Promise<void>;
}

/** What the holder wrote into the lock file, for the message of a refused lock. */
function holderOf(text: string): string {
  try {
    const h = JSON.parse(text) as { pid?: unknown; what?: unknown; since?: unknown };
    if (typeof h.pid === 'number' && typeof h.what === 'string' && typeof h.since === 'string')
      return `pid ${h.pid}, ${h.what}, since ${h.since}`;
  } catch {
    // an unreadable note only makes the message vaguer
  }
  return 'holder unknown';
}

/** The lock file of this machine at `path`: its directory is made, its note written in place, never through a link. */
export function localLockSite(path: string): LockSite {
  return {
    path,
    command: (argv) => [...argv],
    async unusable() {
      await mkdir(dirname(path), { recursive: true });
      const st = await lstat(path).catch(() => null);
      return st === null || st.isFile() ? null : st.isDirectory() ? 'a directory' : 'not a regular file';
    },
    readNote: () => readFile(path, 'utf8').catch(() => ''),
    async writeNote(text) {
      const handle = await open(path, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
    },
  };
}

/** Takes the exclusive lock at `site` without waiting; throws LockHeld when another process has it. */
export async function takeLock(site: LockSite, what: string): Promise<Release> {
  const { path } = site;
  const kind = await site.unusable();
  if (kind !== null) throw new LockHeld(`${path} is not a lock file (${kind}): no lbctl made it; remove it and run again`);
  // flock opens (creating) the file, locks it and execs cat with the locked descriptor; cat echoes the line we send
  // once it runs, which proves the lock is held, and exits when our end of its stdin closes.
  const [file, ...args] = site.command(['flock', '--nonblock', '--conflict-exit-code', String(CONFLICT), '--no-fork', path, 'cat']);
  const child = execa(file!, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    buffer: { stdout: false },
  });
  const held = await new Promise<boolean>((resolve) => {
    child.stdout.once('data', () => resolve(true));
    void child.then(() => resolve(false));
    child.stdin.write('locked\n');
  });
  if (!held) {
    const r = await child;
    if (r.exitCode === CONFLICT)
      throw new LockHeld(`another lbctl (${holderOf(await site.readNote())}) holds ${path}: wait for it to finish`);
    throw new Error(
      `cannot take the lock ${path}: flock exited ${String(r.exitCode ?? r.signal)}${r.stderr ? `: ${String(r.stderr).trim()}` : ''}`,
    );
  }
  await site.writeNote(JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() }));
  return async () => {
    child.stdin.end();
    await child;
  };
}
