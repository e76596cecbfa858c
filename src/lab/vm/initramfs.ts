// The busybox initramfs (cpio newc, uncompressed) that mounts the host root, cached per content.
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ensureCacheDir } from './cache.js';
import type { Kernel } from './kernel.js';
import { ROOT_FS_MODULES, resolveModules } from './modules.js';
import { assetPath } from './paths.js';

/** The static busybox of Debian's busybox-static package. */
export const BUSYBOX = '/bin/busybox';
const INIT_ASSET = 'initramfs-init.sh';
const ARCHIVE = 'initramfs.cpio';

async function contentKey(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(await readFile(file));
  return hash.digest('hex').slice(0, 16);
}

async function stage(root: string, init: string, modules: string[]): Promise<void> {
  for (const dir of ['bin', 'modules', 'proc']) await mkdir(join(root, dir));
  await copyFile(BUSYBOX, join(root, 'bin', 'busybox'));
  await copyFile(init, join(root, 'init'));
  await Promise.all([chmod(join(root, 'bin', 'busybox'), 0o755), chmod(join(root, 'init'), 0o755)]);
  // NN- prefixes keep the load order when the init globs /modules/*.ko
  await Promise.all(modules.map((ko, i) => copyFile(ko, join(root, 'modules', `${String(i).padStart(2, '0')}-${ko.split('/').pop()}`))));
}

async function archive(root: string, out: string): Promise<void> {
  const entries = await readdir(root, { recursive: true });
  await execa('cpio', ['--quiet', '-o', '-H', 'newc', '-R', '0:0', '-F', out], {
    cwd: root,
    input: entries.map((entry) => `${entry}\n`).join(''),
  });
}

/** Ensures the cached initramfs for `kernel` (rebuilt when busybox, the init or the modules change); returns its path. */
export async function ensureInitramfs(kernel: Kernel, cacheDir: string): Promise<string> {
  const init = assetPath(INIT_ASSET);
  const modules = await resolveModules(kernel.modulesDir, ROOT_FS_MODULES);
  const key = await contentKey([BUSYBOX, init, ...modules]);
  const dir = await ensureCacheDir(join(cacheDir, kernel.release, `initramfs-${key}`), async (tmp) => {
    const root = join(tmp, 'root');
    await mkdir(root);
    await stage(root, init, modules);
    await archive(root, join(tmp, ARCHIVE));
    await rm(root, { recursive: true });
  });
  return join(dir, ARCHIVE);
}
