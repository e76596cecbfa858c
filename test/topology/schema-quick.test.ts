import { readdirSync, readFileSync } from 'node:fs';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { quickTopology } from '../../src/topology/schema-quick.js';
import { topologySchema } from '../../src/topology/schema.js';

const HOSTS = {
  director: { interfaces: { eth0: { network: 'lan', address: '10.0.0.10/16' } } },
};

/** A document with one service "web" made of `base` with `change` over it (undefined values are removed). */
function doc(change: Record<string, unknown>): Record<string, unknown> {
  const service: Record<string, unknown> = {
    vip: '10.0.100.1',
    port: 80,
    method: 'dr',
    directors: ['director'],
    realServers: ['10.0.160.1', { address: '10.0.160.2', weight: 3 }],
  };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete service[key];
    else service[key] = value;
  }
  return { apiVersion: 'lbctl/v1', networks: { lan: '10.0.0.0/16' }, hosts: HOSTS, services: { web: service } };
}

/** The hand check's verdict must be zod's whenever it gives one; `accepted`: it must give one (the input is valid). */
function expectAgreement(input: unknown, accepted: boolean): void {
  const quick = quickTopology(input);
  const zod = topologySchema.safeParse(input);
  if (quick !== undefined) expect(zod).toEqual({ success: true, data: quick });
  expect(quick !== undefined).toBe(accepted);
}

const VALID: [string, Record<string, unknown>][] = [
  ['the common shape', {}],
  ['every common field', { protocol: 'udp', scheduler: 'sh', flags: ['sh-port'], persistence: 300, onePacket: true, ha: 'ecmp' }],
  ['a persistence netmask', { persistence: { timeout: 600, netmask: '255.255.255.0' } }],
  ['a persistence prefix length', { persistence: { timeout: 600, netmask: 24 } }],
  ['a fwmark', { fwmark: 7, port: undefined }],
  ['pool fields', { mtu: 1400, onFailure: 'remove', quorum: 2, hysteresis: 1, failOpen: 30, sorryServer: '10.0.160.9:8080' }],
  ['real servers with every field', { realServers: [{ host: 'director', address: '10.0.0.10', port: 80, weight: 0, upper: 5, lower: 1 }] }],
  ['a tcp check', { check: { kind: 'tcp' } }],
  [
    'an http check with every field',
    {
      check: {
        kind: 'https',
        interval: '500ms',
        timeout: 0.4,
        rise: 3,
        fall: 1,
        port: 8443,
        address: '10.0.160.1',
        method: 'HEAD',
        path: '/health?x=1',
        status: [200, 204],
        body: 'ok.*',
        digest: 'a'.repeat(64),
        host: 'www.example.com:443',
        sni: 'www.example.com',
        verify: true,
      },
    },
  ],
  ['a dns check', { check: { kind: 'dns', name: 'www.example.com.', type: 'AAAA', rcode: 'NXDOMAIN', answer: '::1', status: 200 } }],
  ['a udp check', { check: { kind: 'udp', send: 'ping', expect: 'pong', interval: 2 } }],
  ['an exec check', { check: { kind: 'exec', command: ['/usr/bin/check', '--vip=10.0.100.1'] } }],
  ['an in-band check', { check: { kind: 'tcp', inBand: { failures: 5, window: '10s', unanswered: 2 } } }],
  ['a real server without a check', { realServers: [{ address: '10.0.160.1', check: false }] }],
  ['a real server with its own check', { realServers: [{ address: '10.0.160.1', check: { port: 81 } }] }],
];

const INVALID: [string, Record<string, unknown>][] = [
  ['port 0', { port: 0 }],
  ['port 65536', { port: 65536 }],
  ['a fractional port', { port: 80.5 }],
  ['a port as text', { port: '80' }],
  ['a null port', { port: null }],
  ['a bad vip', { vip: '10.0.100.300' }],
  ['an unknown scheduler', { scheduler: 'wrrr' }],
  ['an unknown flag', { flags: ['sh-pork'] }],
  ['a persistence of 0', { persistence: 0 }],
  ['a bad netmask', { persistence: { timeout: 600, netmask: '255.255.0' } }],
  ['a netmask of 129', { persistence: { timeout: 600, netmask: 129 } }],
  ['an unknown persistence key', { persistence: { timeout: 600, mask: 24 } }],
  ['no directors', { directors: [] }],
  ['a bad director name', { directors: ['1director'] }],
  ['no real servers', { realServers: [] }],
  ['an unknown real-server key', { realServers: [{ address: '10.0.160.1', wieght: 2 }] }],
  ['a weight over 65535', { realServers: [{ address: '10.0.160.1', weight: 65536 }] }],
  ['a bad real-server address', { realServers: [{ address: '10.0.160' }] }],
  ['a real server as a number', { realServers: [7] }],
  ['an unknown method', { method: 'nat2' }],
  ['no method', { method: undefined }],
  ['an unknown service key', { prot: 'tcp' }],
  ['failOpen over 100', { failOpen: 101 }],
  ['an mtu under 576', { mtu: 500 }],
  ['a sorry server as a number', { sorryServer: 7 }],
  ['an unknown check kind', { check: { kind: 'smtp' } }],
  ['an unknown check key', { check: { kind: 'tcp', intreval: 1 } }],
  ['a service check of false', { check: false }],
  ['an interval under 10 ms', { check: { interval: 0.001 } }],
  ['an interval without a unit', { check: { interval: '500' } }],
  ['a rise of 0', { check: { rise: 0 } }],
  ['a status of 600', { check: { status: [200, 600] } }],
  ['no status', { check: { status: [] } }],
  ['an empty body', { check: { body: '' } }],
  ['an uppercase digest', { check: { digest: 'A'.repeat(64) } }],
  ['a path without a slash', { check: { path: 'health' } }],
  ['a host header with a space', { check: { host: 'www example' } }],
  ['an unknown dns type', { check: { type: 'ANY' } }],
  ['a payload with a newline', { check: { send: 'a\nb' } }],
  ['an empty command', { check: { command: [] } }],
  ['a command word with a space', { check: { command: ['rm -rf'] } }],
  ['in-band without failures', { check: { inBand: { window: '10s' } } }],
  ['a bad check address', { check: { address: 'localhost' } }],
  ['verify as text', { check: { verify: 'yes' } }],
];

/** A document `doc({})` with `change` over its top level. */
const top = (change: Record<string, unknown>) => ({ ...doc({}), ...change });

const DOCUMENTS: [string, unknown, boolean][] = [
  ['no services', { apiVersion: 'lbctl/v1', hosts: HOSTS }, true],
  ['no networks', { apiVersion: 'lbctl/v1', hosts: HOSTS, services: {} }, true],
  ['a host without interfaces', top({ hosts: { director: {} } }), true],
  [
    'a host with every common field',
    top({
      hosts: {
        director: {
          roles: ['director', 'router'],
          interfaces: { 'eth0.10': { network: 'lan', address: ['10.0.0.10/16', 'fd00::10/64'] } },
          gateway: '10.0.0.1',
          routes: { '10.21.0.0/24': '10.0.0.2' },
        },
      },
    }),
    true,
  ],
  ['a network with its fields', top({ networks: { lan: { prefix: '10.0.0.0/16', pointToPoint: true } } }), true],
  ['a host with routing (left to zod)', top({ hosts: { director: { routing: { flavour: 'quagga' } } } }), false],
  ['anycast (left to zod)', top({ anycast: {} }), false],
  ['a bad service name', { apiVersion: 'lbctl/v1', hosts: HOSTS, services: { '9web': doc({}).services } }, false],
  ['services as a list', { apiVersion: 'lbctl/v1', hosts: HOSTS, services: [] }, false],
  ['null services', { apiVersion: 'lbctl/v1', hosts: HOSTS, services: null }, false],
  ['null networks', top({ networks: null }), false],
  ['no hosts', { apiVersion: 'lbctl/v1', services: {} }, false],
  ['another apiVersion', top({ apiVersion: 'lbctl/v2' }), false],
  ['interfaces as a list', top({ hosts: { director: { interfaces: [] } } }), false],
  [
    'an interface name of 16 characters',
    top({ hosts: { director: { interfaces: { ['e'.repeat(16)]: { network: 'lan', address: '10.0.0.1/16' } } } } }),
    false,
  ],
  [
    'an interface address without a prefix',
    top({ hosts: { director: { interfaces: { eth0: { network: 'lan', address: '10.0.0.1' } } } } }),
    false,
  ],
  ['an unknown role', top({ hosts: { director: { roles: ['balancer'] } } }), false],
  ['a bad route', top({ hosts: { director: { routes: { '10.21.0.0/24': 'router' } } } }), false],
  ['a bad network', top({ networks: { lan: '10.0.0.0' } }), false],
  ['an unknown network key', top({ networks: { lan: { prefix: '10.0.0.0/16', p2p: true } } }), false],
  ['an unknown top-level key', top({ extra: 1 }), false],
  ['a document that is a list', [doc({})], false],
];

describe('the hand-written schema check of common topologies', () => {
  it.each(VALID)('accepts %s as zod does', (_name, change) => expectAgreement(doc(change), true));
  it.each(INVALID)('leaves %s to zod, which refuses it', (_name, change) => {
    expectAgreement(doc(change), false);
    expect(topologySchema.safeParse(doc(change)).success).toBe(false);
  });
  it.each(DOCUMENTS)('agrees with zod on %s', (_name, input, accepted) => expectAgreement(input, accepted));

  const examples = readdirSync('topologies').filter((f) => f.endsWith('.yaml'));
  it.each(examples)('agrees with zod on the example %s', (file) => {
    const input = jsyaml.load(readFileSync(`topologies/${file}`, 'utf8'));
    const quick = quickTopology(input);
    if (quick !== undefined) expect(topologySchema.safeParse(input)).toEqual({ success: true, data: quick });
  });

  it('accepts the small example a start-up measure plans (dr-web.yaml)', () => {
    expect(quickTopology(jsyaml.load(readFileSync('topologies/dr-web.yaml', 'utf8')))).toBeDefined();
  });
});
