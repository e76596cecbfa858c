// A lock file that keeps two applies from changing one host at the same time.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where the lock lives, below the apply root. */
export const LOCK_PATH = '/run/lbctl.lock';

/** Another apply holds the lock. */
export class LockHeld extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock (replacing one left by a dead process); returns its release function. */
export async function acquireLock(root: string, what: string): Promise<() => Promise<void>> {
  const path = join(root, LOCK_PATH);
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() }));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as { pid?: number; what?: string; since?: string };
      if (holder.pid !== undefined && alive(holder.pid)) {
        throw new LockHeld(`another lbctl (pid ${holder.pid}, ${holder.what ?? 'apply'}, since ${holder.since ?? '?'}) holds ${path}: wait for it to finish`);
      }
      await rm(path, { force: true });
    }
  }
  throw new LockHeld(`cannot take ${path}`);
}
