// A sorry server that is a host of the topology is prepared as a real server of its service: for DR the VIP on lo
// with ARP silence, for TUN tunl0 with the VIP; a NAT one needs nothing of its own; one written as an address is not
// lbctl's to prepare. A rollout treats its host as a real server (prepared before the director, finished after).
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import { rolesOf } from '../../src/desired/roles.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';

/** One service of `method` with web1 as its real server and `sorry` as its sorry server. */
function topology(method: 'dr' | 'tun' | 'nat', sorry: string): Topology {
  const text = `apiVersion: lbctl/v1
networks: { lan: 10.0.0.0/24 }
hosts:
  director: { roles: [director], interfaces: { eth0: { network: lan, address: 10.0.0.10/24 } } }
  web1: { roles: [real-server], interfaces: { eth0: { network: lan, address: 10.0.0.21/24 } }${method === 'nat' ? ', gateway: 10.0.0.10' : ''} }
  sorry: { roles: [real-server], interfaces: { eth0: { network: lan, address: 10.0.0.50/24 } }${method === 'nat' ? ', gateway: 10.0.0.10' : ''} }
services:
  web:
    vip: ${method === 'nat' ? '10.0.1.100' : '10.0.0.100'}
    port: 80
    method: ${method}
    directors: [director]
    realServers: [web1]
    check: { kind: tcp }
    sorryServer: ${sorry}
`;
  const loaded = loadTopology('t.yaml', text);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded.topology!;
}

const addresses = (t: Topology, host: string) =>
  desiredStates(t)
    .get(host)!
    .addresses.map((a) => `${a.device} ${a.cidr}`);

describe('a sorry server that is a host of the topology', () => {
  it.each([
    ['dr', ['lo 10.0.0.100/32']],
    ['tun', ['tunl0 10.0.0.100/32']],
    ['nat', []],
  ] as const)('%s: gets what a real server of the service gets', (method, vip) => {
    const t = topology(method, 'sorry');
    expect(addresses(t, 'sorry')).toEqual(vip);
    const [web1, sorry] = [desiredStates(t).get('web1')!, desiredStates(t).get('sorry')!];
    expect(sorry.sysctls).toEqual(web1.sysctls);
    expect(sorry.links).toEqual(web1.links);
    expect(rolesOf(t).get('sorry')).toEqual({ router: false, director: false, realServer: true });
  });

  it('written as an address, is not prepared (it may be a machine lbctl does not manage)', () => {
    const t = topology('dr', '10.0.0.50');
    expect(addresses(t, 'sorry')).toEqual([]);
    expect(rolesOf(t).get('sorry')!.realServer).toBe(false);
    expect(t.services[0]!.pool.sorryServer).toEqual({ address: '10.0.0.50', port: 80 });
  });
});
