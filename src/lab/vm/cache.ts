// Atomic, idempotent construction of cache entries.
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Age after which a leftover partial build (from a killed run) is deleted. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function removeStalePartials(parent: string, prefix: string): Promise<void> {
  for (const name of await readdir(parent)) {
    if (!name.startsWith(prefix)) continue;
    const partial = join(parent, name);
    const { mtimeMs } = await stat(partial);
    if (Date.now() - mtimeMs > STALE_PARTIAL_MS) await rm(partial, { recursive: true, force: true });
  }
}

/**
 * Returns the directory `dir`, first building it if it is missing: `build` fills a fresh
 * sibling temp directory that is renamed into place only once complete, so a crashed or
 * concurrent earlier run never leaves a half-built entry under the final name.
 */
export async function ensureCacheDir(dir: string, build: (tmp: string) => Promise<void>): Promise<string> {
  if (await exists(dir)) return dir;
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}.partial-`;
  await mkdir(parent, { recursive: true });
  await removeStalePartials(parent, prefix);
  const tmp = await mkdtemp(join(parent, prefix));
  try {
    await build(tmp);
    await chmod(tmp, 0o755); // mkdtemp made it private
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (await exists(dir)) return dir; // another run finished the same entry first
    throw err;
  }
  return dir;
}
