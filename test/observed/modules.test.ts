import { describe, expect, it } from 'vitest';
import { parseProcModules } from '../../src/observed/modules.js';
import { fixture } from './fixtures.js';

describe('parseProcModules', () => {
  it('returns the sorted module names (hand-made fixture: this kernel has no loadable modules)', () => {
    expect(parseProcModules(fixture('netns/hand-modules.txt'))).toEqual([
      'ip_tunnel',
      'ip_vs',
      'ip_vs_wrr',
      'ipip',
      'libcrc32c',
      'nf_conntrack',
      'nf_defrag_ipv4',
      'nf_defrag_ipv6',
      'tunnel4',
      'vboxsf',
    ]);
  });

  it('returns nothing for an empty /proc/modules', () => {
    expect(parseProcModules('')).toEqual([]);
  });

  it('rejects a line that is not a /proc/modules entry', () => {
    expect(() => parseProcModules('ip_vs 196608 0 - Live 0x0000000000000000\nModule Size Used by\n')).toThrow(
      '/proc/modules: line 2: expected "name size refcount deps state address": Module Size Used by',
    );
  });
});
