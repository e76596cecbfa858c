// Unified diffs of text (file contents in plans, expected vs actual plans), via jsdiff.
import { createRequire } from 'node:module';
import type * as Jsdiff from 'diff';

/** jsdiff, loaded (synchronously, once: require caches it) only by plans that show a text diff. */
function jsdiff(): typeof Jsdiff {
  return createRequire(import.meta.url)('diff') as typeof Jsdiff;
}

/** A unified diff of two texts with 3 lines of context; empty when they are equal. */
export function unifiedDiff(oldName: string, newName: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = jsdiff().createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, { context: 3 });
  // Drop jsdiff's "=====" banner line; keep the ---/+++ headers and hunks.
  return patch
    .split('\n')
    .filter((l) => !/^=+$/.test(l))
    .join('\n');
}
