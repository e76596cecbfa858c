// Check that the Debian packages the VM runner uses are installed on the host.
import { execa } from 'execa';

/** Debian packages the VM runner needs on the host (it installs none itself). */
export const REQUIRED_PACKAGES = ['qemu-system-x86', 'busybox-static', 'kmod', 'cpio', 'xz-utils'] as const;

/** Throws an error naming the missing packages and the command that installs them. */
export async function assertHostPackages(): Promise<void> {
  const query = await execa('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\n', ...REQUIRED_PACKAGES], {
    reject: false,
  });
  const installed = new Set(
    query.stdout
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0]),
  );
  const missing = REQUIRED_PACKAGES.filter((name) => !installed.has(name));
  if (missing.length > 0) {
    throw new Error(
      `lbctl VM runner: missing Debian packages: ${missing.join(' ')}; ` +
        `install them with: apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
  }
}
