// Director HA cross-checks, table-driven: each case edits one snippet of a valid two-director topology.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/topology/diagnostics.js';
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
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
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
