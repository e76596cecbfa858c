// Files below a root directory on this machine, written so that nothing planted in the way is followed:
// the new content goes to a temporary file created exclusively (O_EXCL|O_NOFOLLOW) beside the target, the old
// file is kept as PATH.lbctl-backup by a hard link (links are never followed), and a rename puts the new file in
// place. A failure removes the temporary file.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ManagedFile } from '../../model/state.js';
import type { FoundFile, HostFiles } from '../port.js';

/** Suffix of the previous version of a file lbctl replaced or removed. */
export const BACKUP_SUFFIX = '.lbctl-backup';

/** Numeric owner and group of a file; resolved on the host that will hold it. */
export interface FileIds {
  uid: number;
  gid: number;
}

/** Resolves an owner and group name to numeric ids (null: leave the file root's). */
export type IdLookup = (owner: string, group: string) => Promise<FileIds | null>;

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** The kind of a path that is there but is not a regular file (null for a regular file or nothing). */
async function notRegular(path: string): Promise<string | null> {
  const st = await lstat(path).catch((err: unknown) => {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  });
  if (st === null || st.isFile() || st.isSymbolicLink()) return null;
  return st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device';
}

/** Creates a fresh temporary file beside `target`, exclusively and without following links. */
async function createTemp(target: string, mode: number): Promise<{ path: string; handle: FileHandle }> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  for (let attempt = 0; ; attempt++) {
    const path = join(dirname(target), `.${basename(target)}.lbctl-${randomBytes(6).toString('hex')}`);
    try {
      return { path, handle: await open(path, flags, mode & 0o777) };
    } catch (err) {
      if (errno(err) !== 'EEXIST' || attempt >= 8) throw err;
    }
  }
}

/** Writes `content` to a new temporary file beside `target` with its mode and ids; returns its path. */
async function writeTemp(target: string, content: string, mode: number, ids: FileIds | null): Promise<string> {
  const { path, handle } = await createTemp(target, mode);
  try {
    await handle.writeFile(content);
    if (ids) await handle.chown(ids.uid, ids.gid);
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    return path;
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
}

/** Keeps the current `target` (file or link, never followed) as target.lbctl-backup; nothing when it is absent. */
async function keepBackup(target: string): Promise<void> {
  const temp = `${dirname(target)}/.${basename(target)}.lbctl-${randomBytes(6).toString('hex')}`;
  try {
    await link(target, temp);
  } catch (err) {
    if (errno(err) === 'ENOENT') return;
    throw err;
  }
  try {
    await rename(temp, target + BACKUP_SUFFIX);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Refuses a target that is a directory, FIFO, socket or device: lbctl replaces only files. */
async function assertReplaceable(target: string): Promise<void> {
  const kind = await notRegular(target);
  if (kind !== null) throw new Error(`${target} is ${kind}, not a file: lbctl will not replace it; move it away and apply again`);
}

/** The real file system below `root` ("/" on a live host). */
export function localFiles(root: string, ids: IdLookup | null): HostFiles {
  const at = (path: string) => join(root, path);
  return {
    async read(path) {
      try {
        // O_NONBLOCK: a FIFO planted where a file belongs opens at once (and is then refused) instead of hanging.
        const handle = await open(at(path), constants.O_RDONLY | constants.O_NONBLOCK);
        try {
          const info = await handle.stat();
          if (!info.isFile()) return null;
          return { content: await handle.readFile('utf8'), mode: info.mode & 0o7777 } satisfies FoundFile;
        } finally {
          await handle.close();
        }
      } catch (err) {
        if (errno(err) === 'ENOENT') return null;
        throw err;
      }
    },
    async write(file: ManagedFile, options) {
      const target = at(file.path);
      await mkdir(dirname(target), { recursive: true });
      await assertReplaceable(target);
      const owner = file.owner && ids ? await ids(file.owner, file.group ?? file.owner) : null;
      const temp = await writeTemp(target, file.content, file.mode, owner);
      try {
        if (options?.backup !== false) await keepBackup(target);
        await rename(temp, target);
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw err;
      }
    },
    async remove(path, options) {
      const target = at(path);
      await assertReplaceable(target);
      if (options?.backup !== false) await keepBackup(target);
      await unlink(target).catch((err: unknown) => {
        if (errno(err) !== 'ENOENT') throw err;
      });
    },
  };
}
