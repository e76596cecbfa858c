// Creating output directories and files the operator named (`render --out`, `capture --out`, `apply --events`), with errors that say
// what could not be written and why. Directories are made one level at a time: Node's recursive mkdir loops
// forever where mkdir fails with ENOENT although the parent exists (/proc).
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { reasonOf } from './errno.js';

/** An output the operator named cannot be written (the CLI turns it into exit code 73). */
export class Unwritable extends Error {}

/** Creates `dir` and its missing parents; an existing non-directory on the way, or a failure, is Unwritable. */
export async function makeDirs(dir: string, what: string): Promise<void> {
  let path = '';
  for (const part of resolve(dir).split(sep).slice(1)) {
    path = `${path}${sep}${part}`;
    const found = await stat(path).catch((err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' ? undefined : Promise.reject(new Unwritable(`cannot write ${what} ${dir}: ${path}: ${reasonOf(err)}`)),
    );
    if (found?.isDirectory()) continue;
    if (found) throw new Unwritable(`cannot write ${what} ${dir}: ${path} exists and is not a directory`);
    await mkdir(path).catch((err: NodeJS.ErrnoException) => {
      // The parent exists (it was just checked): ENOENT means the file system makes no new entries (/proc, /sys).
      const why = err.code === 'ENOENT' ? 'this file system does not allow creating it' : reasonOf(err);
      return Promise.reject(new Unwritable(`cannot write ${what} ${dir}: cannot create ${path}: ${why}`));
    });
  }
}

/** Writes one output file; a failure, or something other than a file in its place (a FIFO would block), is Unwritable. */
export async function writeOutputFile(path: string, content: string, mode?: number): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found !== undefined && !found.isFile())
    throw new Unwritable(`cannot write ${path}: ${found.isDirectory() ? 'it is a directory' : 'it is not a regular file'}`);
  await writeFile(path, content, mode === undefined ? {} : { mode }).catch((err: unknown) =>
    Promise.reject(new Unwritable(`cannot write ${path}: ${reasonOf(err)}`)),
  );
}

/**
 * Opens an output file the operator named for appending lines (a log of events), creating it when missing; something
 * other than a file there, or a failure, is Unwritable. Each line is appended at once, so the file keeps their order.
 */
export function openLog(path: string): { append: (line: string) => void; close: () => void } {
  const found = statSync(path, { throwIfNoEntry: false });
  if (found !== undefined && !found.isFile())
    throw new Unwritable(`cannot write ${path}: ${found.isDirectory() ? 'it is a directory' : 'it is not a regular file'}`);
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw new Unwritable(`cannot write ${path}: ${reasonOf(err)}`);
  }
  return {
    append: (line) => {
      try {
        writeSync(fd, line);
      } catch (err) {
        throw new Unwritable(`cannot append to ${path}: ${reasonOf(err)}`);
      }
    },
    close: () => closeSync(fd),
  };
}
