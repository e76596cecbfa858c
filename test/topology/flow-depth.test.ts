// The flow-nesting scan that refuses a too-deep file before the parsers recurse: what counts as a level, and what not.
import { describe, expect, it } from 'vitest';
import { tooDeepAt } from '../../src/topology/hostile-input.js';

const open = (n: number) => '['.repeat(n);

describe('tooDeepAt', () => {
  it.each([
    ['64 levels of lists', `a: ${open(64)}1${']'.repeat(64)}\n`, -1],
    ['65 levels: the offset of the 65th bracket', `a: ${open(65)}1\n`, 3 + 64],
    ['mappings and lists count alike', `a: ${'{b: ['.repeat(33)}\n`, 3 + 5 * 32],
    ['brackets in a double-quoted string', `a: "${open(100)}"\nb: [1]\n`, -1],
    ['an escaped quote does not end the string', `a: "\\"${open(100)}"\n`, -1],
    ['brackets in a single-quoted string', `a: '${open(100)}'\n`, -1],
    ['brackets in a comment', `a: 1 # ${open(100)}\nb: [1]\n`, -1],
    ['a comment on the first character', `#${open(100)}\n`, -1],
    ['"#" inside a word starts no comment', `a: x#${open(65)}\n`, 5 + 64],
    ['closing brackets never go below zero', `a: ${']'.repeat(10)}${open(64)}\n`, -1],
    ['an unterminated string ends the scan', `a: "${open(100)}`, -1],
    ['an unterminated single-quoted string too', `a: '${open(100)}`, -1],
  ])('%s', (_, text, offset) => {
    expect(tooDeepAt(text)).toBe(offset);
  });
});
