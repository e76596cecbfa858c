// Writes managed files under a root directory (for `lbctl render --out DIR` and image builds).
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ManagedFile } from '../model/state.js';

/** Writes each file at ROOT/PATH with its mode (ownership is left to apply, which runs as root). */
export async function writeTree(root: string, files: readonly ManagedFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    const target = join(root, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content, { mode: f.mode });
    await chmod(target, f.mode);
    written.push(target);
  }
  return written;
}
