import { describe, expect, it } from 'vitest';
import { positionsIn } from '../../src/topology/text-locate.js';

describe('positionsIn', () => {
  it('maps offsets to line and column in any order, past the last newline too', () => {
    const text = 'a: 1\nbb: 2\n\nccc: 3';
    const at = positionsIn(text);
    const expected = (offset: number) => {
      const before = text.slice(0, offset).split('\n');
      return { line: before.length, col: before.at(-1)!.length + 1 };
    };
    for (const offset of [12, 0, 5, 4, 11, 10, 17, 6, 3]) expect(at(offset), `offset ${offset}`).toEqual(expected(offset));
  });
});
