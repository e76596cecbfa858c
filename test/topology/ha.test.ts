// Director HA cross-checks, table-driven: each case edits one snippet of a valid two-director topology.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/present/diagnostics.js';
import { loadTopology } from '../../src/topology/load.js';

/** Two directors on one L2 network behind a router, with an HA mode: valid. */
const BASE = `apiVersion: lbctl/v1
networks:
  lan: 192.168.10.0/24
hosts:
  router:
    roles: [router]
    interfaces:
      eth0: { network: lan, address: 192.168.10.1/24 }
    routing: { networks: { 192.168.10.0/24: 0 } }
  d1:
    interfaces:
      eth0: { network: lan, address: 192.168.10.11/24 }
    routing: { networks: { 192.168.10.0/24: 0 } }
  d2:
    interfaces:
      eth0: { network: lan, address: 192.168.10.12/24 }
    routing: { networks: { 192.168.10.0/24: 0 } }
  rs1:
    interfaces:
      eth0: { network: lan, address: 192.168.10.21/24 }
services:
  web:
    vip: 192.168.10.100
    port: 80
    method: dr
    directors: [d1, d2]
    ha: vrrp
    realServers: [rs1]
`;

/** Replaces one exact snippet of BASE; fails loudly when the snippet is not there. */
function variant(from: string, to: string): string {
  expect(BASE.includes(from), `BASE contains ${from}`).toBe(true);
  return BASE.replace(from, to);
}

/** "line:col rule" of every diagnostic. */
function found(text: string): string[] {
  return loadTopology('t.yaml', text).diagnostics.map((d) => `${d.position?.line}:${d.position?.col} ${d.rule}`);
}

describe('director HA checks', () => {
  it('accepts two directors on one network with an HA mode', () => {
    expect(found(BASE)).toEqual([]);
  });

  it.each([
    ['two directors on one L2 network without an HA mode', variant('    ha: vrrp\n', ''), ['26:21 ha-missing']],
    ['an unknown HA mode', variant('ha: vrrp', 'ha: carp'), ['27:9 ha-unknown']],
    ['a VIP that is a director address', variant('vip: 192.168.10.100', 'vip: 192.168.10.12'), ['23:10 vip-is-host-address']],
    ['a VIP that is a real server address', variant('vip: 192.168.10.100', 'vip: 192.168.10.21'), ['23:10 vip-is-host-address']],
    ['a VIP that is the router address', variant('vip: 192.168.10.100', 'vip: 192.168.10.1'), ['23:10 vip-is-host-address']],
    [
      'ECMP with NAT (replies must return through the same director)',
      variant('method: dr\n    directors: [d1, d2]\n    ha: vrrp', 'method: fullnat\n    directors: [d1, d2]\n    ha: ecmp'),
      ['25:13 ha-ecmp-nat'],
    ],
    [
      'an ECMP director without routing',
      variant('ha: vrrp', 'ha: ecmp').replace('    routing: { networks: { 192.168.10.0/24: 0 } }\n  rs1:', '  rs1:'),
      ['25:21 ha-ecmp-no-routing'],
    ],
    [
      'an ECMP service without a VIP',
      variant('    vip: 192.168.10.100\n    port: 80\n', '    fwmark: 1\n').replace('ha: vrrp', 'ha: ecmp'),
      ['23:13 fwmark-unmarked', '26:9 ha-ecmp-no-vip'],
    ],
    [
      'an ECMP service with a scheduler of per-director state (warning)',
      variant('ha: vrrp', 'ha: ecmp\n    scheduler: wrr'),
      ['28:16 ha-ecmp-scheduler'],
    ],
    [
      'a router keeping fewer paths than there are ECMP directors',
      variant('ha: vrrp', 'ha: ecmp').replace('routing: { networks', 'routing: { maximumPaths: 1, networks'),
      ['9:30 ha-ecmp-maximum-paths'],
    ],
    ["a VRRP VIP outside the directors' shared network", variant('vip: 192.168.10.100', 'vip: 10.9.9.9'), ['27:9 ha-vrrp-no-shared-l2']],
    [
      'a VRRP service without a VIP',
      variant('    vip: 192.168.10.100\n    port: 80\n', '    fwmark: 1\n'),
      ['23:13 fwmark-unmarked', '26:9 ha-vrrp-no-vip'],
    ],
    [
      'two services on one VIP with different HA modes',
      variant(
        '    realServers: [rs1]\n',
        '    realServers: [rs1]\n  tls:\n    vip: 192.168.10.100\n    port: 443\n    method: dr\n    directors: [d1, d2]\n    ha: ecmp\n    realServers: [rs1]\n',
      ),
      ['34:9 ha-vip-mixed'],
    ],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it('accepts the same directors active-active over ECMP, DR', () => {
    expect(found(variant('ha: vrrp', 'ha: ecmp'))).toEqual([]);
  });

  it('accepts one director without an HA mode', () => {
    expect(found(variant('    directors: [d1, d2]\n    ha: vrrp\n', '    directors: [d1]\n'))).toEqual([]);
  });

  it('says where the duplicate VIP would be and how to fix it', () => {
    const [d] = loadTopology('topo.yaml', variant('    ha: vrrp\n', '')).diagnostics;
    expect(formatDiagnostic(d!)).toBe(
      'topo.yaml:26:21: error[ha-missing]: directors "d1" and "d2" of service "web" are both on network "lan" with no HA mode: both would hold VIP 192.168.10.100, a duplicate address\n' +
        '    fix: add "ha: vrrp" (one director holds the VIP, the other takes over) or "ha: ecmp" (each director announces the VIP by OSPF), or keep one director',
    );
  });
});
