// The ipvsadm-save parser against output captured from a real IPVS kernel (test/e2e/vm/ipvs-smoke.test.ts
// wrote these files with Debian 12's ipvsadm). The fake host (test/support/fake-host.ts) interprets
// ipvsadm commands through this same parser; this file is what entitles it to: the parser is proven
// here against the real tool's output, with every expected value written out, not read through lbctl's
// own writer.
import { describe, expect, it } from 'vitest';
import { parseIpvsadmSaveDetailed } from '../../../src/drivers/ipvs/parse-save.js';
import { serviceKey } from '../../../src/model/keys.js';
import type { IpvsDestination, IpvsService } from '../../../src/model/state.js';
import { fixture } from '../../observed/fixtures.js';

const dest = (address: string, port: number, forward: IpvsDestination['forward'], weight: number): IpvsDestination => ({
  address,
  port,
  forward,
  weight,
  upper: 0,
  lower: 0,
});
const plain = { flags: [], persistence: null, onePacket: false };
const tcp = (address: string, port: number) => ({ protocol: 'tcp' as const, address, port });

describe('parseIpvsadmSave on real-dr-nat-tun.txt (a real kernel: DR, NAT with port mapping, TUN)', () => {
  it('reads every service and real server', () => {
    expect(parseIpvsadmSaveDetailed(fixture('ipvsadm-save/real-dr-nat-tun.txt'))).toEqual({
      unmodelled: [],
      services: [
        {
          id: tcp('192.0.2.10', 80),
          scheduler: 'rr',
          ...plain,
          destinations: [dest('198.51.100.11', 80, 'gate', 1), dest('198.51.100.12', 80, 'gate', 1)],
        },
        {
          id: tcp('192.0.2.20', 80),
          scheduler: 'wlc',
          ...plain,
          destinations: [dest('198.51.100.21', 8080, 'masq', 1), dest('198.51.100.22', 8080, 'masq', 2)],
        },
        {
          id: tcp('192.0.2.30', 80),
          scheduler: 'wrr',
          ...plain,
          destinations: [dest('203.0.113.31', 80, 'ipip', 1), dest('203.0.113.32', 80, 'ipip', 1)],
        },
      ] satisfies IpvsService[],
    });
  });
});

describe('parseIpvsadmSave on real-all-options.txt (a real kernel: every option ipvsadm-save prints)', () => {
  const parsed = parseIpvsadmSaveDetailed(fixture('ipvsadm-save/real-all-options.txt'));
  const byKey = new Map(parsed.services.map((s) => [serviceKey(s.id), s]));

  it.each<[string, Partial<IpvsService>]>([
    // Scheduler flags in the order the kernel's ipvsadm prints them, which is lbctl's canonical order.
    [
      'tcp 192.0.2.2:443',
      {
        scheduler: 'sh',
        flags: ['sh-fallback', 'sh-port'],
        persistence: { timeout: 300, netmask: '255.255.255.0' },
        destinations: [dest('198.51.100.1', 443, 'gate', 2)],
      },
    ],
    ['tcp 192.0.2.3:80', { scheduler: 'mh', flags: ['mh-fallback', 'mh-port'], persistence: null }],
    ['tcp 192.0.2.6:22', { scheduler: 'lc', flags: ['flag-1', 'flag-3'], persistence: { timeout: 3600, netmask: '255.255.255.255' } }],
    ['tcp 192.0.2.4:80', { scheduler: 'wlc', persistence: { timeout: 360, netmask: '255.255.255.255' }, destinations: [] }],
    ['udp 192.0.2.1:53', { scheduler: 'rr', onePacket: true, destinations: [dest('198.51.100.1', 5353, 'masq', 1)] }],
    ['sctp 192.0.2.1:3868', { scheduler: 'lc', destinations: [dest('198.51.100.1', 3868, 'gate', 1)] }],
    [
      'tcp [2001:db8::1]:80',
      {
        scheduler: 'sed',
        persistence: { timeout: 120, netmask: '64' },
        destinations: [dest('2001:db8:1::1', 80, 'gate', 5), dest('2001:db8:1::2', 8080, 'masq', 1), dest('2001:db8:1::3', 80, 'ipip', 1)],
      },
    ],
    ['udp [2001:db8::1]:53', { scheduler: 'nq', onePacket: true }],
    [
      'fwmark 1',
      {
        scheduler: 'wlc',
        persistence: { timeout: 60, netmask: '255.255.255.255' },
        destinations: [dest('198.51.100.1', 0, 'gate', 1), dest('198.51.100.2', 8080, 'masq', 1)],
      },
    ],
    [
      'fwmark 2 inet6',
      { scheduler: 'rr', persistence: { timeout: 90, netmask: '64' }, destinations: [dest('2001:db8:1::1', 0, 'gate', 1)] },
    ],
    // ipvsadm prints the u32 mark 4000000000 with %d.
    ['fwmark 4000000000', { scheduler: 'rr', destinations: [] }],
  ])('%s', (key, expected) => {
    expect(byKey.get(key)).toMatchObject(expected);
  });

  it('reads every scheduler the capture holds, and the weight-0 and tunnelled real servers of the wrr service', () => {
    expect(parsed.services.map((s) => s.scheduler).sort()).toEqual([
      'dh',
      'fo',
      'lblc',
      'lblcr',
      'lc',
      'lc',
      'mh',
      'nq',
      'ovf',
      'rr',
      'rr',
      'rr',
      'rr',
      'sed',
      'sh',
      'wlc',
      'wlc',
      'wrr',
    ]);
    expect(byKey.get('tcp 192.0.2.1:80')?.destinations.map((d) => [d.address, d.port, d.forward, d.weight])).toEqual([
      ['198.51.100.1', 80, 'gate', 3],
      ['198.51.100.2', 8080, 'masq', 2],
      ['198.51.100.3', 80, 'ipip', 1],
      ['198.51.100.4', 80, 'ipip', 1],
      ['198.51.100.5', 80, 'ipip', 1],
      ['198.51.100.6', 80, 'ipip', 1],
      ['198.51.100.7', 80, 'gate', 0],
    ]);
  });

  it('reports what lbctl does not model: the persistence engine and gue/gre tunnels', () => {
    expect(parsed.unmodelled.map((u) => u.replace(/: -[aA] .*$/, ''))).toEqual([
      'line 6: --tun-type gue (lbctl models ipip tunnels only)',
      'line 7: --tun-type gue (lbctl models ipip tunnels only)',
      'line 8: --tun-type gre (lbctl models ipip tunnels only)',
      'line 23: persistence engine sip (lbctl does not model --pe)',
    ]);
  });
});
