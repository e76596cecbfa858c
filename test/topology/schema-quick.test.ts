import { describe, expect, it } from 'vitest';
import { parseTopologySchema } from '../../src/topology/schema-quick.js';
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

const CASES: [string, Record<string, unknown>][] = [
  ['the common shape', {}],
  ['every common field', { protocol: 'udp', scheduler: 'sh', flags: ['sh-port'], persistence: 300, onePacket: true, ha: 'ecmp' }],
  ['a persistence netmask', { persistence: { timeout: 600, netmask: '255.255.255.0' } }],
  ['a persistence prefix length', { persistence: { timeout: 600, netmask: 24 } }],
  ['a fwmark', { fwmark: 7, port: undefined }],
  ['pool fields', { mtu: 1400, onFailure: 'remove', quorum: 2, hysteresis: 1, failOpen: 30 }],
  ['real servers with every field', { realServers: [{ host: 'director', address: '10.0.0.10', port: 80, weight: 0, upper: 5, lower: 1 }] }],
  ['a health check (left to zod)', { check: { kind: 'tcp' } }],
  ['a sorry server (left to zod)', { sorryServer: '10.0.160.9' }],
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
];

describe('the hand-written schema check of common services', () => {
  it.each(CASES)('agrees with zod on %s', (_name, change) => {
    const input = doc(change);
    expect(parseTopologySchema(input)).toEqual(topologySchema.safeParse(input));
  });

  it.each([
    ['a bad service name', { apiVersion: 'lbctl/v1', hosts: HOSTS, services: { '9web': doc({}).services } }],
    ['services as a list', { apiVersion: 'lbctl/v1', hosts: HOSTS, services: [] }],
    ['null services', { apiVersion: 'lbctl/v1', hosts: HOSTS, services: null }],
    ['no services', { apiVersion: 'lbctl/v1', hosts: HOSTS }],
    ['a problem outside the services', { ...doc({}), hosts: { director: { interfaces: [] } } }],
    ['an unknown top-level key', { ...doc({}), extra: 1 }],
    ['a document that is a list', [doc({})]],
  ])('agrees with zod on %s', (_name, input) => {
    expect(parseTopologySchema(input)).toEqual(topologySchema.safeParse(input));
  });
});
