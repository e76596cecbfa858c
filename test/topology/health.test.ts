import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';

/** A DR service and an anycast group, both with room for checks. */
const BASE = `apiVersion: lbctl/v1
networks:
  lan: 192.168.10.0/24
hosts:
  director:
    interfaces:
      eth0: { network: lan, address: 192.168.10.10/24 }
  rs1:
    interfaces:
      eth0: { network: lan, address: 192.168.10.21/24 }
    routing: { routerId: 2.2.2.2 }
  rs2:
    interfaces:
      eth0: { network: lan, address: 192.168.10.22/24 }
services:
  web:
    vip: 192.168.10.100
    port: 80
    method: dr
    directors: [director]
    CHECK
    realServers: [rs1, RS2]
anycast:
  dns:
    prefix: 6.6.6.6/32
    nodes: [rs1]
    ANYCAST
`;

function topo(check: string, rs2 = 'rs2', anycast = 'cost: 10'): string {
  return BASE.replace('CHECK', check).replace('RS2', rs2).replace('ANYCAST', anycast);
}

function found(text: string): string[] {
  return loadTopology('t.yaml', text).diagnostics.map((d) => `${d.position?.line}:${d.position?.col} ${d.rule}`);
}

describe('health checks in the topology', () => {
  it('applies the shipped defaults and checks DR servers through the VIP path', () => {
    const t = loadTopology('t.yaml', topo('check: { kind: http, path: /healthz, status: [200, 204] }')).topology!;
    const [rs1, rs2] = t.services[0]!.realServers;
    expect(rs1!.check).toMatchObject({
      kind: 'http',
      intervalMs: 500,
      timeoutMs: 400,
      rise: 2,
      fall: 2,
      port: 80,
      address: '192.168.10.21',
      viaVip: true,
    });
    expect(rs1!.check!.http).toEqual({ method: 'GET', path: '/healthz', status: [200, 204], verify: false });
    expect(rs2!.check).toEqual(rs1!.check && { ...rs1!.check, address: '192.168.10.22' });
    expect(t.services[0]!.pool).toEqual({ onFailure: 'weight0', quorum: 0, hysteresis: 0, failOpenPercent: 50 });
  });

  it('lets a real server override fields, change the kind, or have no check', () => {
    const t = loadTopology(
      't.yaml',
      topo('check: { kind: http, path: /h, interval: 1s }', '{ host: rs2, check: { port: 8080, timeout: 250ms } }'),
    ).topology!;
    expect(t.services[0]!.realServers[1]!.check).toMatchObject({
      kind: 'http',
      port: 8080,
      timeoutMs: 250,
      intervalMs: 1000,
      http: { path: '/h' },
    });
    const other = loadTopology('t.yaml', topo('check: { kind: http, path: /h }', '{ host: rs2, check: { kind: tcp } }')).topology!;
    expect(other.services[0]!.realServers[1]!.check).toMatchObject({ kind: 'tcp', port: 80, intervalMs: 500 });
    expect(other.services[0]!.realServers[1]!.check!.http).toBeUndefined();
    const none = loadTopology('t.yaml', topo('check: { kind: tcp }', '{ host: rs2, check: false }')).topology!;
    expect(none.services[0]!.realServers[1]!.check).toBeUndefined();
  });

  it('an address override probes that address directly, not through the VIP', () => {
    const t = loadTopology('t.yaml', topo('check: { kind: tcp, address: 192.168.10.99 }')).topology!;
    expect(t.services[0]!.realServers[0]!.check).toMatchObject({ address: '192.168.10.99', viaVip: false });
  });

  it('resolves the pool policy and the sorry server', () => {
    const t = loadTopology(
      't.yaml',
      topo('onFailure: remove\n    sorryServer: 192.168.10.50\n    quorum: 2\n    hysteresis: 1\n    failOpen: 30'),
    ).topology!;
    expect(t.services[0]!.pool).toEqual({
      onFailure: 'remove',
      sorryServer: { address: '192.168.10.50', port: 80 },
      quorum: 2,
      hysteresis: 1,
      failOpenPercent: 30,
    });
  });

  it('gives an anycast group its check on the prefix address, and hold-down defaults', () => {
    const t = loadTopology(
      't.yaml',
      topo('', 'rs2', 'check: { kind: dns, name: hello.mycompany.com, answer: 1.2.3.4 }\n    holdDown: 1s'),
    ).topology!;
    expect(t.anycast[0]).toMatchObject({
      holdDownMs: 1000,
      holdDownMaxMs: 60000,
      check: {
        kind: 'dns',
        address: '6.6.6.6',
        addressSet: false,
        port: 53,
        viaVip: false,
        dns: { name: 'hello.mycompany.com', type: 'A', rcode: 'NOERROR', answer: '1.2.3.4' },
      },
    });
  });

  it.each([
    ['no kind', 'check: { port: 81 }', ['21:12 check-kind-missing']],
    ['unknown kind', 'check: { kind: ldap }', ['21:20 check-kind-unknown']],
    ['a field of another kind', 'check: { kind: tcp, path: /x }', ['21:31 check-field-kind']],
    ['dns without a name', 'check: { kind: dns }', ['21:20 check-required']],
    ['exec without a command', 'check: { kind: exec }', ['21:20 check-required']],
    ['timeout over interval', 'check: { kind: tcp, interval: 1s, timeout: 2s }', ['21:48 check-timeout']],
    ['bad duration', 'check: { kind: tcp, interval: 5 minutes }', ['21:35 duration-invalid']],
    ['bad body regex', 'check: { kind: http, body: "a(" }', ['21:32 check-body-invalid']],
    ['body and digest', `check: { kind: http, body: ok, digest: ${'a'.repeat(64)} }`, ['21:44 check-body-digest']],
    ['bad digest', 'check: { kind: http, digest: abc }', ['21:34 digest-invalid']],
    ['shell text in exec', 'check: { kind: exec, command: ["sh", "-c", "x;y"] }', ['21:48 command-invalid']],
    ['unknown field', 'check: { kind: tcp, retries: 3 }', ['21:25 unknown-key']],
    ['fail-open over 100', 'failOpen: 150', ['21:15 fail-open-range']],
  ])('%s is a validation error at its place', (_name, check, expected) => {
    expect(found(topo(check))).toEqual(expected);
  });

  it('reports a shared service check once, whatever the number of real servers', () => {
    expect(found(topo('check: { kind: tcp, sni: x.example }'))).toEqual(['21:30 check-field-kind']);
  });

  it('an anycast check on a kind with no default port needs one', () => {
    expect(found(topo('', 'rs2', 'check: { kind: tcp }'))).toEqual(['27:20 check-port-missing']);
  });

  describe('in-band failure counting', () => {
    const nat = (check: string, protocol = '') => topo(check).replace('method: dr', `method: fullnat${protocol}`);

    it('FullNAT TCP: defaults for window and unanswered, kept through a real server override', () => {
      const t = loadTopology('t.yaml', nat('check: { kind: tcp, inBand: { failures: 5 } }', '')).topology!;
      expect(t.services[0]!.realServers[0]!.check!.inBand).toEqual({ failures: 5, windowMs: 10_000, unansweredMs: 2000 });
      const own = loadTopology(
        't.yaml',
        topo(
          'check: { kind: tcp, inBand: { failures: 5 } }',
          '{ host: rs2, check: { inBand: { failures: 2, window: 30s, unanswered: 500ms } } }',
        ).replace('method: dr', 'method: fullnat'),
      ).topology!;
      expect(own.services[0]!.realServers[1]!.check!.inBand).toEqual({ failures: 2, windowMs: 30_000, unansweredMs: 500 });
    });

    it.each([
      ['DR (the director never sees the replies)', topo('check: { kind: tcp, inBand: { failures: 5 } }'), ['21:33 check-inband-method']],
      [
        'TUN',
        topo('check: { kind: tcp, inBand: { failures: 5 } }').replace('method: dr', 'method: tun\n    mtu: 1480'),
        ['22:33 check-inband-method'],
      ],
      ['UDP', nat('check: { kind: udp, send: ping, inBand: { failures: 5 } }', '\n    protocol: udp'), ['22:45 check-inband-protocol']],
      [
        'an anycast check',
        topo('', 'rs2', 'check: { kind: dns, name: a.example, inBand: { failures: 1 } }'),
        ['27:50 check-inband-anycast'],
      ],
      ['no failures', nat('check: { kind: tcp, inBand: { window: 5s } }'), ['21:25 required']],
    ])('%s: a validation error at inBand', (_name, text, expected) => {
      expect(found(text)).toEqual(expected);
    });

    it('the DR error says why and what to do', () => {
      const d = loadTopology('t.yaml', topo('check: { kind: tcp, inBand: { failures: 5 } }')).diagnostics[0]!;
      expect(d.message).toMatch(/under DR they go straight to the client/);
      expect(d.fix).toMatch(/use method "nat" or "fullnat"/);
    });
  });
});
