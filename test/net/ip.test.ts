import { describe, expect, it } from 'vitest';
import { contains, parseCidr, parseIp } from '../../src/net/ip.js';

describe('contains', () => {
  it.each([
    ['0.0.0.0/0', '255.255.255.255', true],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['192.168.10.0/24', '192.168.10.255', true],
    ['192.168.10.0/24', '192.168.11.0', false],
    ['192.168.10.4/31', '192.168.10.5', true],
    ['192.168.10.4/31', '192.168.10.6', false],
    ['255.255.255.255/32', '255.255.255.255', true],
    ['255.255.255.255/32', '255.255.255.254', false],
    ['128.0.0.0/1', '127.255.255.255', false],
    ['::/0', '2001:db8::1', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['10.0.0.0/8', '::ffff:10.0.0.1', false],
  ])('%s holds %s: %s', (prefix, address, expected) => {
    expect(contains(parseCidr(prefix)!, parseIp(address)!)).toBe(expected);
  });
});
