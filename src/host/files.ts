// Files on the host: read what is there, write atomically keeping a backup, remove keeping a backup.
import { chmod, mkdir, readFile, rename, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ManagedFile } from '../model/state.js';
import { runChecked, type Runner } from './runner.js';

/** Suffix of the previous version of a file lbctl replaced or removed. */
export const BACKUP_SUFFIX = '.lbctl-backup';

/** A file as found on the host. */
export interface FoundFile {
  content: string;
  mode: number;
}

/** File access for probing and applying; `root` redirects every path (for tests and image builds). */
export interface HostFiles {
  read(path: string): Promise<FoundFile | null>;
  /** Replaces the file atomically (temp file + rename), keeping the old one as PATH.lbctl-backup. */
  write(file: ManagedFile): Promise<void>;
  /** Removes the file, keeping it as PATH.lbctl-backup. */
  remove(path: string): Promise<void>;
}

/** The real file system below `root` ("/" on a live host); ownership is set with chown(1) through the runner. */
export function localFiles(root: string, runner: Runner): HostFiles {
  const at = (path: string) => join(root, path);
  const backup = async (target: string) => {
    const had = await stat(target).then(() => true, () => false);
    if (had) await copyFile(target, target + BACKUP_SUFFIX);
  };
  return {
    async read(path) {
      try {
        const target = at(path);
        const [content, info] = await Promise.all([readFile(target, 'utf8'), stat(target)]);
        return { content, mode: info.mode & 0o7777 };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async write(file) {
      const target = at(file.path);
      await mkdir(dirname(target), { recursive: true });
      const temp = `${target}.lbctl-new`;
      await writeFile(temp, file.content, { mode: file.mode });
      await chmod(temp, file.mode);
      if (file.owner && root === '/') await runChecked(runner, ['chown', `${file.owner}:${file.group ?? file.owner}`, temp]);
      await backup(target);
      await rename(temp, target);
    },
    async remove(path) {
      const target = at(path);
      await backup(target);
      await rm(target, { force: true });
    },
  };
}
