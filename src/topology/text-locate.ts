// Positions in large topology files without a positioned parse: each key of a path is searched for forward in the
// text (linear in the file's size), so a typo in a multi-megabyte file costs a search, not a second full parse.
import type { NodePath, Position } from './diagnostics.js';

const KEY_END = /^["']?[ \t]*:/;

/** The offset of `key` written as a mapping key ("key:", "'key':", "\"key\":") at or after `from`, or -1. */
function findKey(text: string, key: string, from: number): number {
  for (let at = text.indexOf(key, from); at >= 0; at = text.indexOf(key, at + 1)) {
    const quote = text[at - 1] === '"' || text[at - 1] === "'" ? 1 : 0;
    const before = text[at - 1 - quote];
    const startsToken = before === undefined || before === ' ' || before === '\n' || before === '\t' || before === '{' || before === ',';
    if (startsToken && KEY_END.test(text.slice(at + key.length, at + key.length + 8))) return at - quote;
  }
  return -1;
}

/** Maps offsets of a text to 1-based line and column (each line start is found once, when first needed). */
export function positionsIn(text: string): (offset: number) => Position {
  // Line starts are found as far as an offset asked for: a big file's problems shown are mostly near its top.
  const starts = [0];
  let scanned = 0;
  return (offset) => {
    while (scanned <= offset) {
      const nl = text.indexOf('\n', scanned);
      scanned = nl < 0 ? Infinity : nl + 1;
      if (nl >= 0) starts.push(nl + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (starts[lo] ?? 0) + 1 };
  };
}

/**
 * Where the value of the last key of `path` starts (with `atKey`: the key), each key searched for after the previous
 * one (list indices are skipped: the search goes on from the list's key); the last key found when one is missing.
 * Approximate by design: used only where the positioned parse would cost too much.
 */
export function offsetOfPath(text: string, path: NodePath, atKey = false): number {
  let offset = 0;
  let found = true;
  for (const segment of path) {
    if (typeof segment !== 'string') continue;
    const at = findKey(text, segment, offset);
    if (at < 0) {
      found = false;
      break;
    }
    offset = at;
  }
  if (atKey || !found || path.length === 0) return offset;
  const value = /:[ \t]*/y;
  value.lastIndex = text.indexOf(':', offset);
  return value.exec(text) ? value.lastIndex : offset;
}
