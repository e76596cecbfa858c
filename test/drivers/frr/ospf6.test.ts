// OSPFv3 (ospf6d): the interface/area lines and the router ospf6 block in both dialects, the refusals, the daemons.
import { describe, expect, it } from 'vitest';
import { renderFrr } from '../../../src/drivers/frr/ospf-frr.js';
import { quaggaRefused, renderQuagga } from '../../../src/drivers/frr/ospf-quagga.js';
import type { OspfConfig } from '../../../src/model/routing.js';
import { dns1, r1 } from './ospf-fixtures.js';

/** DNS1 dual-stack: eth1 in 2001:db8:77::/64 (area 2, with BFD) and lo holding 2001:db8:6::6/128 at cost 10. */
const dualStack = (): OspfConfig => ({
  ...dns1(),
  interfaces6: [
    { name: 'eth1', area: '0.0.0.2', passive: false, pointToPoint: true, hello: 1, dead: 3, retransmit: 1, bfd: true },
    { name: 'lo', area: '0.0.0.2', passive: true, pointToPoint: false, cost: 10 },
  ],
  maximumPaths: 4,
});
const between = (text: string, from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to, text.indexOf(from)));

describe('OSPFv3 in the frr flavour', () => {
  it('puts the area and the ipv6 ospf6 settings in the interface block, after the ospfd lines of the same interface', () => {
    const conf = renderFrr(dualStack()).frrConf;
    expect(between(conf, 'interface eth1\n', '!')).toBe(
      [
        'interface eth1',
        ' ipv6 ospf6 area 0.0.0.2',
        ' ipv6 ospf6 bfd',
        ' ipv6 ospf6 bfd profile lbctl-fast',
        ' ipv6 ospf6 dead-interval 3',
        ' ipv6 ospf6 hello-interval 1',
        ' ipv6 ospf6 network point-to-point',
        ' ipv6 ospf6 retransmit-interval 1',
        '',
      ].join('\n'),
    );
    expect(between(conf, 'interface lo\n', '!')).toBe(
      'interface lo\n ip ospf cost 10\n ip ospf passive\n ipv6 ospf6 area 0.0.0.2\n ipv6 ospf6 cost 10\n ipv6 ospf6 passive\n',
    );
  });

  // orders as FRR 8.4's `show running-config` printed them in the lab (interface lines sorted, router lines not)
  it('writes router ospf6 with the IPv4 router id, the timers and maximum-paths; the LSA throttle only as a comment', () => {
    const conf = renderFrr(dualStack()).frrConf;
    expect(between(conf, 'router ospf6\n', '\n!')).toBe(
      [
        'router ospf6',
        ' ospf6 router-id 10.211.77.1',
        " ! not rendered for frr (FRR's ospf6d has no LSA throttle timer): timers throttle lsa all 0",
        ' timers lsa min-arrival 0',
        ' maximum-paths 4',
        ' timers throttle spf 0 50 1000',
      ].join('\n'),
    );
    expect(conf).toContain('\nbfd\n profile lbctl-fast\n');
  });

  it('switches ospf6d on in /etc/frr/daemons only when the host has OSPFv3 interfaces', () => {
    expect(renderFrr(dualStack()).daemons).toMatch(/^ospf6d=yes$/m);
    expect(renderFrr(dualStack()).daemons).toMatch(/^bfdd=yes$/m);
    expect(renderFrr(dns1()).daemons).toMatch(/^ospf6d=no$/m);
    expect(renderFrr(dns1()).frrConf).not.toContain('ospf6');
  });
});

describe('OSPFv3 in the quagga flavour', () => {
  it('writes ospf6d.conf in quagga syntax: router-id and `interface IF area A` under router ospf6', () => {
    const files = renderQuagga(dualStack());
    expect(files.ospfd).not.toContain('ospf6');
    expect(files.ospf6d).toContain(
      [
        '!',
        'router ospf6',
        ' router-id 10.211.77.1',
        ' ! not rendered for quagga (quagga ospf6d has no LSA throttle timer): timers throttle lsa all 0',
        ' ! not rendered for quagga (quagga ospf6d has no LSA min-arrival timer): timers lsa min-arrival 0',
        ' ! not rendered for quagga (quagga ospf6d has no maximum-paths; its ECMP width is fixed at build time): maximum-paths 4',
        ' timers throttle spf 0 50 1000',
        ' interface eth1 area 0.0.0.2',
        ' interface lo area 0.0.0.2',
        '!',
      ].join('\n'),
    );
    expect(between(files.ospf6d!, 'interface lo\n', '!')).toBe('interface lo\n ipv6 ospf6 cost 10\n ipv6 ospf6 passive\n');
    // quagga's ospf6d takes retransmit-interval 1 (its ospfd does not) and has no BFD
    expect(files.ospf6d).toContain(' ipv6 ospf6 retransmit-interval 1\n');
    expect(files.ospf6d).toContain(
      ' ! not rendered for quagga (quagga has no BFD daemon; failover waits for the dead interval): ipv6 ospf6 bfd\n',
    );
  });

  it('lists the ospf6d refusals after the ospfd ones, and writes no ospf6d.conf for an IPv4-only host', () => {
    const refused = quaggaRefused(dualStack()).filter((r) => r.daemon === 'ospf6d');
    expect(refused.map((r) => r.command)).toEqual([
      'ipv6 ospf6 bfd',
      'ipv6 ospf6 bfd profile lbctl-fast',
      'timers throttle lsa all 0',
      'timers lsa min-arrival 0',
      'maximum-paths 4',
    ]);
    expect(renderQuagga(r1()).ospf6d).toBeUndefined();
  });

  it('refuses an OSPFv3 area that is not an area word', () => {
    const bad: OspfConfig = {
      ...dualStack(),
      interfaces6: [{ name: 'eth1', area: '0.0.0.2\nrouter bgp 1', passive: false, pointToPoint: false }],
    };
    expect(() => renderQuagga(bad)).toThrow(/interfaces6\[0\]\.area/);
  });
});
