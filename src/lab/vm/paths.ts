// Where the VM runner keeps its cache and finds its shell assets.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Cache root for kernels and initramfs images: $LBCTL_VM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/lbctl/vm. */
export function vmCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LBCTL_VM_CACHE) return env.LBCTL_VM_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lbctl', 'vm');
}

/** The package root (the folder holding package.json) above this module, from src/ or dist/ alike. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('lbctl VM runner: cannot find the package root (no package.json above)');
    dir = parent;
  }
  return dir;
}

/** Path of a shell asset kept next to the runner's sources (src/lab/vm/NAME), which tsc does not copy to dist. */
export function assetPath(name: string): string {
  return join(packageRoot(), 'src', 'lab', 'vm', name);
}
