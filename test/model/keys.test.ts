import { describe, expect, it } from 'vitest';
import { compareDestinations, destinationKey, naturalCompare, sameServiceId, serviceKey } from '../../src/model/keys.js';
import type { IpvsServiceId } from '../../src/model/state.js';

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

describe('compareDestinations', () => {
  it('orders destinations as naturalCompare orders their keys', () => {
    const addresses = [
      '10.0.0.9',
      '10.0.0.10',
      '10.0.0.1',
      '10.0.1.0',
      '9.255.255.255',
      '2001:db8::1',
      '2001:db8::1:2',
      '2001:db8::a',
      '::1',
    ];
    const destinations = addresses.flatMap((address) => [80, 443, 8080, 9].map((port) => ({ address, port })));
    for (const a of destinations)
      for (const b of destinations) {
        const want = Math.sign(naturalCompare(destinationKey(a), destinationKey(b)));
        if (Math.sign(compareDestinations(a, b)) !== want) expect.fail(`${destinationKey(a)} vs ${destinationKey(b)}: not ${want}`);
      }
  });
});

describe('sameServiceId', () => {
  it('says what equal service keys say, for every pair of a table of ids', () => {
    const ids: IpvsServiceId[] = [
      { protocol: 'tcp', address: '10.0.0.1', port: 80 },
      { protocol: 'tcp', address: '10.0.0.1', port: 8080 },
      { protocol: 'udp', address: '10.0.0.1', port: 80 },
      { protocol: 'sctp', address: '10.0.0.1', port: 80 },
      { protocol: 'tcp', address: '10.0.0.10', port: 80 },
      { protocol: 'tcp', address: '2001:db8::1', port: 80 },
      { protocol: 'fwmark', mark: 7, family: 'inet' },
      { protocol: 'fwmark', mark: 7, family: 'inet6' },
      { protocol: 'fwmark', mark: 8, family: 'inet' },
    ];
    for (const a of ids) {
      for (const b of ids) {
        expect(sameServiceId(a, b), `${serviceKey(a)} / ${serviceKey(b)}`).toBe(serviceKey(a) === serviceKey(b));
        expect(sameServiceId(a, { ...b }), 'a copy').toBe(serviceKey(a) === serviceKey(b));
      }
    }
  });
});
