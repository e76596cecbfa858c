import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../src/model/keys.js';

describe('naturalCompare', () => {
  it('orders embedded numbers numerically and the rest by character', () => {
    const keys = [
      'tcp 10.0.0.10:80',
      'tcp 10.0.0.9:80',
      'tcp 10.0.0.9:443',
      'fwmark 7',
      'fwmark 10',
      'udp 10.0.0.9:53',
      'lo',
      'eth10',
      'eth2',
      'a01',
      'a1',
      'a',
    ];
    expect([...keys].sort(naturalCompare)).toEqual([
      'a',
      'a01',
      'a1',
      'eth2',
      'eth10',
      'fwmark 7',
      'fwmark 10',
      'lo',
      'tcp 10.0.0.9:80',
      'tcp 10.0.0.9:443',
      'tcp 10.0.0.10:80',
      'udp 10.0.0.9:53',
    ]);
  });

  it('is a consistent total order (antisymmetric, equal only for equal strings)', () => {
    const keys = ['x1', 'x01', 'x001', 'x2', 'x10', 'y', ''];
    for (const a of keys)
      for (const b of keys) {
        expect(Math.sign(naturalCompare(a, b)) + Math.sign(naturalCompare(b, a))).toBe(0);
        if (a !== b && naturalCompare(a, b) === 0) expect.fail(`${a} and ${b} compare equal`);
      }
  });
});
