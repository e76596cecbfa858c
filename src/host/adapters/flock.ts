// The apply lock: a kernel lock (flock(2)) held by a small `flock … cat` child for as long as lbctl runs. The kernel
// drops it when the holder ends, however it ends (a crash, kill -9): no stale lock is ever taken over by guesswork.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { LockHeld, type Release } from '../port.js';

/** flock's exit status when another process holds the lock. */
const CONFLICT = 75;

/** What the holder wrote into the lock file, for the message of a refused lock. */
async function holderOf(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  try {
    const h = JSON.parse(text) as { pid?: unknown; what?: unknown; since?: unknown };
    if (typeof h.pid === 'number' && typeof h.what === 'string' && typeof h.since === 'string') return `pid ${h.pid}, ${h.what}, since ${h.since}`;
  } catch {
    // an unreadable note only makes the message vaguer
  }
  return 'holder unknown';
}

/** Notes who holds the lock, in the lock file itself (never through a link). */
async function noteHolder(path: string, what: string): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  try {
    await handle.writeFile(JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() }));
  } finally {
    await handle.close();
  }
}

/** Takes the exclusive lock on `path` without waiting; throws LockHeld when another process has it. */
export async function takeLock(path: string, what: string): Promise<Release> {
  await mkdir(dirname(path), { recursive: true });
  const st = await lstat(path).catch(() => null);
  if (st !== null && !st.isFile()) {
    throw new LockHeld(`${path} is not a lock file (${st.isDirectory() ? 'a directory' : 'not a regular file'}): no lbctl made it; remove it and run again`);
  }
  // flock opens (creating) the file, locks it and execs cat with the locked descriptor; cat echoes the line we send
  // once it runs, which proves the lock is held, and exits when our end of its stdin closes.
  const child = execa('flock', ['--nonblock', '--conflict-exit-code', String(CONFLICT), '--no-fork', path, 'cat'], {
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
    if (r.exitCode === CONFLICT) throw new LockHeld(`another lbctl (${await holderOf(path)}) holds ${path}: wait for it to finish`);
    throw new Error(`cannot take the lock ${path}: flock exited ${String(r.exitCode ?? r.signal)}${r.stderr ? `: ${String(r.stderr).trim()}` : ''}`);
  }
  await noteHolder(path, what);
  return async () => {
    child.stdin.end();
    await child;
  };
}
