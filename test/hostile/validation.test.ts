// Topologies that validated but never converged, crashed render/plan, or lost data: each is now an error at its
// line with a rule id and a fix, and the valid spellings next to them still load.
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import { formatDiagnostic } from '../../src/present/diagnostics.js';
import { loadTopology } from '../../src/topology/load.js';

const topology = (host: string, extra = '') => `apiVersion: lbctl/v1
networks: { lan: 10.0.0.0/24, lan6: "2001:db8::/64" }
hosts:
  d:
    interfaces: { eth0: { network: lan, address: 10.0.0.1/24 }, eth1: { network: lan6, address: "2001:db8::1/64" } }
${host}
${extra}`;

const service = (vip: string) => `services:\n  web: { vip: "${vip}", port: 80, method: dr, directors: [d], realServers: [10.0.0.9] }`;
const ipv6Service = (vip: string) =>
  `services:\n  web: { vip: "${vip}", port: 80, method: dr, directors: [d], realServers: ["[2001:db8::9]:80"] }`;
const anycast = (prefix: string) => `    routing: { networks: { 10.0.0.0/24: 0 } }\nanycast:\n  a: { prefix: "${prefix}", nodes: [d] }`;
/** A zone name of `length` characters: three 63-character labels and a last one. */
const longName = (length: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(length - 192)}`;
const zones = (...names: string[]) => `dns:\n  zones:\n${names.map((n) => `    "${n}": { records: { www: [10.0.0.1] } }`).join('\n')}`;

/** [what, topology text, rule, line] — the line where the error must be reported. */
const INVALID: [string, string, string, number][] = [
  ['gateway and a 0.0.0.0/0 route', topology('    gateway: 10.0.0.254\n    routes: { 0.0.0.0/0: 10.0.0.253 }'), 'route-duplicate', 7],
  ['gateway and a ::/0 route', topology('    gateway: "2001:db8::fe"\n    routes: { "::/0": "2001:db8::fd" }'), 'route-duplicate', 7],
  ['one prefix spelled twice', topology('    routes: { 10.9.0.0/16: 10.0.0.254, 10.9.1.0/16: 10.0.0.253 }'), 'route-duplicate', 6],
  ['IPv6 route via IPv4', topology('    routes: { "2001:db8:9::/48": 10.0.0.254 }'), 'route-family', 6],
  ['IPv4 route via IPv6', topology('    routes: { 10.9.0.0/16: "2001:db8::fe" }'), 'route-family', 6],
  ...[
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.5', 'multicast'],
    ['239.1.1.1', 'multicast'],
    ['127.0.0.2', 'loopback'],
    ['169.254.1.1', 'link-local'],
    ['0.1.2.3', 'this network'],
    ['240.0.0.1', 'reserved'],
  ].map(([vip, what]): [string, string, string, number] => [`VIP ${vip} (${what})`, topology('', service(vip!)), 'vip-reserved', 8]),
  ...['::', '::1', 'ff02::5', 'fe80::1'].map((vip): [string, string, string, number] => [
    `VIP ${vip}`,
    topology('', ipv6Service(vip)),
    'vip-reserved',
    8,
  ]),
  ['anycast 224.0.0.5/32', topology(anycast('224.0.0.5/32')), 'vip-reserved', 8],
  ['anycast 0.0.0.0/32', topology(anycast('0.0.0.0/32')), 'vip-reserved', 8],
  [
    'IPv6 anycast group with an agent check (the agent reads the OSPFv2 database only)',
    topology(anycast('2001:db8::53/128').replace('nodes: [d] }', 'nodes: [d], check: { kind: tcp, port: 53 } }')),
    'anycast-check-ipv6',
    8,
  ],
  [
    'IPv6 anycast groups of one node in two areas (lo joins one OSPFv3 area)',
    topology(`${anycast('2001:db8::53/128')}\n  b: { prefix: "2001:db8::54/128", nodes: [d], area: 1 }`),
    'anycast-ipv6-area',
    9,
  ],
  ['zone with and without final dot', topology('', zones('example.com.', 'example.com')), 'zone-duplicate', 10],
  ['zone differing in case', topology('', zones('example.com', 'Example.COM')), 'zone-duplicate', 10],
  ['319-character zone name', topology('', zones(`${'a'.repeat(63)}.`.repeat(5).slice(0, 319))), 'dns-name-invalid', 9],
  ['248-character zone name', topology('', zones(longName(248))), 'dns-name-invalid', 9],
  ['64-character label', topology('', zones(`${'a'.repeat(64)}.com`)), 'dns-name-invalid', 9],
  [
    '254-character owner name',
    `${topology('', zones('example.com'))}`.replace('www:', `${`${'a'.repeat(62)}.`.repeat(4)}bb:`),
    'dns-name-invalid',
    9,
  ],
  ['host named __proto__', topology('  __proto__:\n    interfaces: { eth0: { network: lan, address: 10.0.0.2/24 } }'), 'name-invalid', 6],
  ['zone named __proto__', topology('', zones('__proto__')), 'name-invalid', 9],
  [
    'host named __proto__ with escapes',
    topology('  "\\x5f_proto\\u005f_":\n    interfaces: { eth0: { network: lan, address: 10.0.0.2/24 } }'),
    'name-invalid',
    6,
  ],
];

/** Spellings next to the errors that must still load. */
const VALID: [string, string][] = [
  ['a 0.0.0.0/0 route alone is the default route', topology('    routes: { 0.0.0.0/0: 10.0.0.254 }')],
  ['247-character zone name', topology('', zones(longName(247)))],
  ['a VIP next to the reserved ranges', topology('', service('223.255.255.254'))],
  ['an IPv6 anycast prefix (OSPFv3)', topology(anycast('2001:db8::53/128'))],
  ['an IPv6 OSPF network (OSPFv3)', topology('    routing: { networks: { "2001:db8::/64": 0 } }')],
  ['a host named constructor', topology('  constructor:\n    interfaces: { eth0: { network: lan, address: 10.0.0.2/24 } }')],
];

describe('topologies that used to be accepted and then failed', () => {
  it.each(INVALID)('%s: error at its line', (_what, text, rule, line) => {
    const r = loadTopology('t.yaml', text);
    const found = r.diagnostics.map((d) => `${d.position?.line}: ${d.severity}[${d.rule}]`);
    expect(found, r.diagnostics.map(formatDiagnostic).join('\n')).toContain(`${line}: error[${rule}]`);
    expect(r.topology).toBeUndefined();
  });

  it.each(VALID)('%s', (_what, text) => {
    const r = loadTopology('t.yaml', text);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    expect(r.topology).toBeDefined();
  });

  it("a 0.0.0.0/0 route becomes the host's default route (the key a probed host reports)", () => {
    const { topology: t } = loadTopology('t.yaml', topology('    routes: { 0.0.0.0/0: 10.0.0.254 }'));
    expect(desiredStates(t!).get('d')?.routes).toEqual([{ family: 'inet', destination: 'default', via: '10.0.0.254' }]);
  });

  it('a host named constructor is kept', () => {
    const { topology: t } = loadTopology(
      't.yaml',
      topology('  constructor:\n    interfaces: { eth0: { network: lan, address: 10.0.0.2/24 } }'),
    );
    expect([...t!.hosts.keys()]).toEqual(['d', 'constructor']);
  });
});
