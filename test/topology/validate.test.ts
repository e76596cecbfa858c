import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/present/diagnostics.js';
import { loadTopology } from '../../src/topology/load.js';
import { BASE, variant } from '../support/base-topology.js';

/** "line:col rule" of every diagnostic. */
function found(text: string): string[] {
  return loadTopology('t.yaml', text).diagnostics.map((d) => `${d.position?.line}:${d.position?.col} ${d.rule}`);
}

describe('validate', () => {
  it('accepts the base topology without diagnostics', () => {
    const r = loadTopology('t.yaml', BASE);
    expect(r.diagnostics).toEqual([]);
    expect(r.topology?.services.map((s) => s.name)).toEqual(['web', 'app']);
  });

  it.each([
    ['YAML syntax', variant('  web:\n', '  web: [\n'), ['21:10 yaml-syntax']],
    ['duplicate mapping key', variant('  app:\n', '  web:\n'), ['26:3 duplicate-key']],
    ['unknown key', variant('    port: 80\n', '    port: 80\n    prot: tcp\n'), ['23:5 unknown-key']],
    ['wrong type', variant('    port: 80\n', '    port: eighty\n'), ['22:11 type']],
    ['missing field', variant('    method: dr\n', ''), ['20:3 required']],
    ['bad address', variant('vip: 192.168.10.100\n    port: 80', 'vip: 192.168.10.300\n    port: 80'), ['21:10 address-invalid']],
    ['bad prefix', variant('address: 10.0.0.12/24', 'address: 10.0.0.12/33'), ['17:39 prefix-invalid']],
    ['unknown scheduler', variant('    method: dr\n', '    method: dr\n    scheduler: wrrr\n'), ['24:16 scheduler-unknown']],
    ['weight out of range', variant('realServers: [rs1]', 'realServers: [{ host: rs1, weight: 70000 }]'), ['25:40 weight-range']],
    ['hostile interface name', variant('eth0: { network: priv', '"eth0;reboot": { network: priv'), ['17:7 interface-invalid']],
    ['hostile password', variant('routerId: 2.2.2.2 }', 'routerId: 2.2.2.2, password: "a b$(x)" }'), ['14:45 password-invalid']],
  ])('reports %s at its position', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it('finds a real server listed twice in a pool of hundreds, once, at its later entry', () => {
    const pool = Array.from({ length: 300 }, (_, i) => `"192.168.10.${(i % 200) + 30}:${80 + Math.floor(i / 200)}"`);
    pool.splice(250, 0, '"192.168.10.77:80"');
    const text = variant('realServers: [rs1]', `realServers: [rs1, ${pool.join(', ')}]`);
    const at = text.split('\n')[24]!.lastIndexOf('"192.168.10.77:80"') + 1;
    expect(found(text).filter((d) => d.endsWith('realserver-duplicate'))).toEqual([`25:${at} realserver-duplicate`]);
  });

  it.each([
    [
      'unknown host reference',
      variant('directors: [director]\n    realServers: [rs1]', 'directors: [director, ghost]\n    realServers: [rs1]'),
      ['24:27 host-unknown'],
    ],
    [
      'unknown network',
      variant('{ network: lan, address: 192.168.10.21/24 }', '{ network: lab, address: 192.168.10.21/24 }'),
      ['13:24 network-unknown'],
    ],
    ['duplicate virtual service', variant('    port: 8000\n', '    port: 80\n'), ['26:3 service-duplicate']],
    ['real server listed twice', variant('realServers: [rs1]', 'realServers: [rs1, "192.168.10.21"]'), ['25:24 realserver-duplicate']],
    [
      'real servers of one address listed twice, by port',
      variant('realServers: [rs1]', 'realServers: [rs1, "192.168.10.21:81", "192.168.10.21:81", "192.168.10.21:80"]'),
      ['25:24 dr-port-mapping', '25:44 dr-port-mapping', '25:44 realserver-duplicate', '25:64 realserver-duplicate'],
    ],
    ['DR port mapping', variant('realServers: [rs1]', 'realServers: ["rs1:8080"]'), ['25:19 dr-port-mapping']],
    [
      'one-packet scheduling on a TCP service',
      variant('    port: 80\n', '    port: 80\n    onePacket: true\n'),
      ['23:16 one-packet-not-udp'],
    ],
    [
      'one-packet scheduling on a NAT service (replies would not be translated back)',
      variant('    port: 8000\n', '    port: 8000\n    protocol: udp\n    onePacket: true\n'),
      ['30:16 one-packet-nat'],
    ],
    [
      'TUN port mapping',
      variant(
        'method: dr\n    directors: [director]\n    realServers: [rs1]',
        'method: tun\n    mtu: 1400\n    directors: [director]\n    realServers: ["rs1:8080"]',
      ),
      ['26:19 tun-port-mapping'],
    ],
    [
      'DR real server off the L2 network',
      variant('realServers: [rs1]', 'realServers: ["172.16.0.5"]'),
      ['25:19 dr-not-on-l2', '25:19 dr-vip-unmanaged'],
    ],
    ['NAT gateway not the director', variant('gateway: 10.0.0.1', 'gateway: 10.0.0.254'), ['18:14 nat-gateway']],
    ['anycast prefix not a host route', variant('prefix: 6.6.6.6/32', 'prefix: 6.6.6.0/24'), ['33:18 anycast-not-host-route']],
    ['anycast node without routing', variant('nodes: [rs1]', 'nodes: [rs2]'), ['33:38 anycast-no-routing']],
    ['duplicated router-id', variant('routerId: 2.2.2.2', 'routerId: 1.1.1.1'), ['14:14 router-id-duplicate']],
    [
      'mixed address families',
      variant('realServers: [rs1]', 'realServers: [rs1, "2001:db8::5"]'),
      ['25:24 dr-not-on-l2', '25:24 dr-vip-unmanaged', '25:24 family-mixed'],
    ],
    [
      'next hop off every network',
      variant('gateway: 10.0.0.1', 'gateway: 10.0.0.1\n    routes: { 10.9.0.0/16: 172.16.0.1 }'),
      ['19:28 gateway-unreachable'],
    ],
    ['TUN without an acknowledged MTU (warning)', variant('method: dr\n', 'method: tun\n'), ['23:13 tun-mtu']],
    [
      'TUN services disagreeing on tunl0 MTU',
      variant(
        'method: dr\n    directors: [director]\n    realServers: [rs1]',
        'method: tun\n    mtu: 1400\n    directors: [director]\n    realServers: [rs1]\n  web6:\n    vip: 192.168.10.101\n    port: 80\n    method: tun\n    mtu: 1480\n    directors: [director]\n    realServers: [rs1]',
      ),
      ['31:10 tun-mtu-conflict'],
    ],
    [
      'scheduler flag of another scheduler',
      variant('    method: dr\n', '    method: dr\n    flags: [sh-port]\n'),
      ['24:12 scheduler-flag'],
    ],
  ])('cross-check: %s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it('reports every problem at once', () => {
    const text = variant('gateway: 10.0.0.1', 'gateway: 10.0.0.254')
      .replace('nodes: [rs1]', 'nodes: [rs2]')
      .replace('routerId: 2.2.2.2', 'routerId: 1.1.1.1');
    expect(found(text)).toEqual(['14:14 router-id-duplicate', '18:14 nat-gateway', '33:38 anycast-no-routing']);
  });

  it('formats a diagnostic as file:line:col with rule and fix', () => {
    const [d] = loadTopology('topo.yaml', variant('gateway: 10.0.0.1', 'gateway: 10.0.0.254')).diagnostics;
    expect(formatDiagnostic(d!)).toBe(
      'topo.yaml:18:14: error[nat-gateway]: NAT real server "rs2" has default gateway 10.0.0.254, not director "director" (10.0.0.1): replies would bypass the director\n' +
        '    fix: set "gateway: 10.0.0.1" on host "rs2"',
    );
  });
});
