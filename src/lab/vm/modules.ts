// Kernel module lookup in an unpacked modules tree.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Modules the initramfs loads, in this order, to mount the host root over virtio 9p with an overlay. */
export const ROOT_FS_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'netfs',
  'fscache',
  '9pnet',
  '9pnet_virtio',
  '9p',
  'overlay',
] as const;

function moduleName(path: string): string {
  return basename(path)
    .replace(/\.ko(\.[a-z]+)?$/, '')
    .replace(/-/g, '_');
}

async function moduleNames(modulesDir: string, listFile: string, field: (line: string) => string): Promise<Map<string, string>> {
  const lines = (await readFile(join(modulesDir, listFile), 'utf8')).split('\n').filter(Boolean);
  return new Map(
    lines.map((line) => {
      const path = field(line);
      return [moduleName(path), path];
    }),
  );
}

/** Absolute .ko paths of `names` in order, leaving out built-in ones; throws on a name the kernel lacks. */
export async function resolveModules(modulesDir: string, names: readonly string[]): Promise<string[]> {
  const loadable = await moduleNames(modulesDir, 'modules.dep', (line) => line.slice(0, line.indexOf(':')));
  const builtin = await moduleNames(modulesDir, 'modules.builtin', (line) => line);
  return names.flatMap((name) => {
    const path = loadable.get(name);
    if (path) return [join(modulesDir, path)];
    if (builtin.has(name)) return [];
    throw new Error(`lbctl VM runner: kernel module ${name} is neither in modules.dep nor built in (${modulesDir})`);
  });
}
