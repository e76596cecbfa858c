// A Debian amd64 kernel unpacked (not installed) into the VM cache, with modules.dep and vmlinux.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ensureCacheDir } from './cache.js';
import { extractVmlinux } from './vmlinux.js';

/** A kernel ready to boot: its release, ELF image and modules tree. */
export interface Kernel {
  /** Kernel release, as `uname -r` prints it inside the guest. */
  release: string;
  /** Uncompressed ELF image booted through qboot's PVH entry. */
  vmlinux: string;
  /** The unpacked lib/modules/RELEASE tree, with modules.dep. */
  modulesDir: string;
}

/** The metapackage whose dependency names the current Debian amd64 kernel. */
export const KERNEL_METAPACKAGE = 'linux-image-amd64';

async function dependencyOf(metapackage: string): Promise<string | undefined> {
  const depends = await execa('apt-cache', ['depends', metapackage], { reject: false });
  return /Depends: (linux-image-\S+)/.exec(depends.stdout)?.[1];
}

/** Name of the kernel package `linux-image-amd64` depends on, refreshing apt's lists once if needed. */
export async function resolveKernelPackage(): Promise<string> {
  const known = await dependencyOf(KERNEL_METAPACKAGE);
  if (known) return known;
  await execa('apt-get', ['update']);
  const refreshed = await dependencyOf(KERNEL_METAPACKAGE);
  if (!refreshed) throw new Error(`lbctl VM runner: apt-cache knows no dependency of ${KERNEL_METAPACKAGE}`);
  return refreshed;
}

async function unpackKernel(pkg: string, release: string, dir: string): Promise<void> {
  await execa('apt-get', ['download', '-o', 'APT::Sandbox::User=root', pkg], { cwd: dir });
  const debs = (await readdir(dir)).filter((name) => name.endsWith('.deb'));
  const deb = debs[0];
  if (debs.length !== 1 || !deb) throw new Error(`lbctl VM runner: apt-get download ${pkg} gave ${debs.join(', ') || 'no .deb'}`);
  await execa('dpkg', ['-x', deb, '.'], { cwd: dir });
  await rm(join(dir, deb));
  await execa('depmod', ['-b', dir, release]);
  await extractVmlinux(join(dir, 'boot', `vmlinuz-${release}`), join(dir, 'vmlinux'));
}

/** Ensures the current Debian amd64 kernel is unpacked in `cacheDir` (downloaded once) and returns it. */
export async function ensureKernel(cacheDir: string): Promise<Kernel> {
  const pkg = await resolveKernelPackage();
  const release = pkg.replace(/^linux-image-/, '');
  const dir = await ensureCacheDir(join(cacheDir, release, 'kernel'), (tmp) => unpackKernel(pkg, release, tmp));
  return { release, vmlinux: join(dir, 'vmlinux'), modulesDir: join(dir, 'lib', 'modules', release) };
}
