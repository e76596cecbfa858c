import { describe, expect, it } from 'vitest';
import { parseIpAddr, parseIpLink, parseIpRoute } from '../../../src/drivers/iproute/parse.js';
import { ParseError } from '../../../src/drivers/parse-error.js';
import { fixture } from '../../observed/fixtures.js';

describe('parseIpAddr (real ip -j addr show from a namespace)', () => {
  it('returns every address of every device, canonical, sorted by device then address', () => {
    expect(parseIpAddr(fixture('netns/ip-addr.json'))).toEqual([
      { device: 'lo', cidr: '10.0.0.100/32' },
      { device: 'lo', cidr: '127.0.0.1/8' },
      { device: 'lo', cidr: '2001:db8:100::1/128' },
      { device: 'lo', cidr: '::1/128' },
      { device: 'v0', cidr: '192.0.2.10/24' },
      { device: 'v0', cidr: '2001:db8:0:1::10/64' },
      { device: 'v0', cidr: 'fe80::ff:fe00:10/64' },
    ]);
  });

  it('canonicalises addresses ip did not print canonically', () => {
    const json = JSON.stringify([{ ifname: 'lo', addr_info: [{ family: 'inet6', local: '2001:DB8:0::0:1', prefixlen: 128 }] }]);
    expect(parseIpAddr(json)).toEqual([{ device: 'lo', cidr: '2001:db8::1/128' }]);
  });

  it('rejects a bad address and output that is not JSON, naming where', () => {
    const bad = JSON.stringify([
      { ifname: 'lo', addr_info: [] },
      { ifname: 'v0', addr_info: [{ family: 'inet', local: '10.0.0.300', prefixlen: 24 }] },
    ]);
    expect(() => parseIpAddr(bad)).toThrow(new ParseError('ip -j addr', null, '$[1].addr_info[0]', 'bad address 10.0.0.300/24'));
    const long = JSON.stringify([{ ifname: 'lo', addr_info: [{ family: 'inet', local: '10.0.0.1', prefixlen: 33 }] }]);
    expect(() => parseIpAddr(long)).toThrow(new ParseError('ip -j addr', null, '$[0].addr_info[0]', 'bad address 10.0.0.1/33'));
    expect(() => parseIpAddr('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536')).toThrow(/^ip -j addr: not JSON: /);
    expect(() => parseIpAddr('[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1"}]}]')).toThrow(
      expect.objectContaining({ source: 'ip -j addr', line: null, text: '$[0].addr_info[0].prefixlen' }),
    );
  });
});

describe('parseIpLink', () => {
  it('reads name, kind, IFF_UP and MTU from real ip -j -d link show', () => {
    expect(parseIpLink(fixture('netns/ip-link.json'))).toEqual([
      { name: 'lo', up: true, mtu: 65536 },
      { name: 'v0', kind: 'veth', up: true, mtu: 1400 },
    ]);
  });

  it('reads tunl0 as kind ipip (hand-made fixture: this kernel has no ipip)', () => {
    expect(parseIpLink(fixture('netns/hand-tunl0-link.json'))).toEqual([
      { name: 'eth0', up: true, mtu: 1500 },
      { name: 'lo', up: true, mtu: 65536 },
      { name: 'tunl0', kind: 'ipip', up: true, mtu: 1480 },
    ]);
  });

  it('is down without the UP flag, even when LOWER_UP is there', () => {
    const json = JSON.stringify([{ ifname: 'tunl0', flags: ['NOARP', 'LOWER_UP'], mtu: 1480, linkinfo: { info_kind: 'ipip' } }]);
    expect(parseIpLink(json)).toEqual([{ name: 'tunl0', kind: 'ipip', up: false, mtu: 1480 }]);
  });
});

describe('parseIpRoute', () => {
  it('keeps only IPv4 routes with a gateway, host routes as /32', () => {
    expect(parseIpRoute(fixture('netns/ip-route.json'), 'inet')).toEqual([
      { family: 'inet', destination: '198.51.100.0/24', via: '192.0.2.1' },
      { family: 'inet', destination: '203.0.113.7/32', via: '192.0.2.1' },
      { family: 'inet', destination: 'default', via: '192.0.2.1' },
    ]);
  });

  it('keeps only IPv6 routes with a gateway', () => {
    expect(parseIpRoute(fixture('netns/ip-route6.json'), 'inet6')).toEqual([
      { family: 'inet6', destination: '2001:db8:aaaa::/48', via: '2001:db8:0:1::1' },
      { family: 'inet6', destination: 'default', via: '2001:db8:0:1::1' },
    ]);
  });

  it('rejects a route of the other family', () => {
    expect(() => parseIpRoute(fixture('netns/ip-route6.json'), 'inet')).toThrow(
      new ParseError('ip -j route', null, '$[2]', 'bad inet route 2001:db8:aaaa::/48 via 2001:db8:0:1::1'),
    );
  });
});
