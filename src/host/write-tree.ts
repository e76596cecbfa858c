// Writes managed files under a root directory (for `lbctl render --out DIR` and image builds).
import { chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ManagedFile } from '../model/state.js';
import { makeDirs, writeOutputFile } from './output-dir.js';

/** Writes each file at ROOT/PATH with its mode (ownership is left to apply, which runs as root). */
export async function writeTree(root: string, files: readonly ManagedFile[]): Promise<string[]> {
  const written: string[] = [];
  await makeDirs(root, 'output directory');
  for (const f of files) {
    const target = join(root, f.path);
    await makeDirs(dirname(target), 'output directory');
    await writeOutputFile(target, f.content, f.mode);
    await chmod(target, f.mode);
    written.push(target);
  }
  return written;
}
