import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import type { HostState, IpvsService } from '../../src/model/state.js';
import { ownedKey } from '../../src/plan/diff.js';
import { planHost } from '../../src/plan/plan.js';
import { stepsFor } from '../../src/plan/steps.js';
import type { Change } from '../../src/plan/types.js';
import { stepToShell } from '../../src/present/shell.js';
import { loadTopology } from '../../src/topology/load.js';

const TOPOLOGY = `apiVersion: lbctl/v1
networks: { lan: 10.0.0.0/24 }
hosts:
  d:
    interfaces: { eth0: { network: lan, address: 10.0.0.1/24 } }
    routing: { networks: { 10.0.0.0/24: 0 } }
  rs:
    interfaces: { eth0: { network: lan, address: 10.0.0.11/24 } }
services:
  web:
    vip: 10.0.0.100
    port: 80
    scheduler: wrr
    method: dr
    directors: [d]
    realServers: [{ host: rs, weight: 2 }]
anycast:
  a: { prefix: 10.9.9.9/32, nodes: [d] }
`;

function desired(text = TOPOLOGY): Map<string, HostState> {
  const { topology, diagnostics } = loadTopology('t.yaml', text);
  expect(diagnostics).toEqual([]);
  return desiredStates(topology!);
}

/** The host's desired state as if it had been applied: a converged observation. */
const converged = (s: HostState): HostState => structuredClone(s);

const shell = (changes: Change[]) => changes.flatMap((c) => stepsFor(c).map(stepToShell));

describe('plan', () => {
  it('is empty when the host already matches', () => {
    const want = desired().get('d')!;
    expect(planHost(want, converged(want)).changes).toEqual([]);
  });

  it('edits a service in place when only its attributes differ (ipvsadm -E, never -D/-A)', () => {
    const want = desired().get('d')!;
    const seen = converged(want);
    seen.ipvs = seen.ipvs.map((s): IpvsService => ({ ...s, scheduler: 'rr' }));
    const plan = planHost(want, seen);
    expect(plan.changes.map((c) => `${c.action} ${c.kind}`)).toEqual(['update ipvs-service']);
    expect(shell(plan.changes)).toEqual(['ipvsadm -E -t 10.0.0.100:80 -s wrr']);
  });

  it('edits a destination in place when its weight differs (ipvsadm -e)', () => {
    const want = desired().get('d')!;
    const seen = converged(want);
    seen.ipvs[0]!.destinations[0]!.weight = 5;
    expect(shell(planHost(want, seen).changes)).toEqual(['ipvsadm -e -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 2']);
  });

  it('reports foreign objects as unmanaged and leaves them alone', () => {
    const want = desired().get('d')!;
    const seen = converged(want);
    seen.ipvs.push({
      id: { protocol: 'udp', address: '10.0.0.200', port: 53 },
      scheduler: 'rr',
      flags: [],
      persistence: null,
      onePacket: false,
      destinations: [],
    });
    seen.addresses.push(
      { device: 'lo', cidr: '192.0.2.1/32' },
      { device: 'lo', cidr: '127.0.0.1/8' },
      { device: 'eth0', cidr: '10.0.0.1/24' },
    );
    const plan = planHost(want, seen);
    expect(plan.changes).toEqual([]);
    expect(plan.unmanaged).toEqual([
      { kind: 'address', key: 'lo 192.0.2.1/32' },
      { kind: 'ipvs-service', key: 'udp 10.0.0.200:53' },
    ]);
  });

  it('deletes what lbctl owns and the topology dropped, after creating, in reverse order', () => {
    const dropped = TOPOLOGY.replace(/anycast:\n.*\n/, '');
    const want = desired(dropped).get('d')!;
    const seen = converged(desired().get('d')!);
    const owned = new Set([ownedKey('address', 'lo 10.9.9.9/32')]);
    const plan = planHost(want, seen, owned);
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.key}`)).toEqual([
      'update file /etc/frr/frr.conf',
      'update file /etc/systemd/system/lbctl.service',
      'run reload frr',
      'run reload boot',
      'delete address lo 10.9.9.9/32',
    ]);
    expect(plan.unmanaged).toEqual([]);
  });

  it('orders a fresh real server: ARP sysctls before the VIP goes on lo', () => {
    const want = desired().get('rs')!;
    const kinds = planHost(want, { ...converged(want), sysctls: {}, addresses: [], files: [] }).changes.map((c) => c.kind);
    expect(kinds.lastIndexOf('sysctl')).toBeLessThan(kinds.indexOf('address'));
    expect(kinds.lastIndexOf('file')).toBeLessThan(kinds.indexOf('reload'));
    expect(kinds.at(-1)).toBe('reload');
  });

  it('creates services before their destinations; a removed destination goes before a removed service, whose own destinations go with it', () => {
    const want = desired().get('d')!;
    const fresh = planHost(want, { ...converged(want), ipvs: [] }).changes.map((c) => c.kind);
    expect(fresh.indexOf('ipvs-service')).toBeLessThan(fresh.indexOf('ipvs-destination'));
    // Observed: web (lbctl's, no longer wanted) and api (wanted, but one of its two real servers is not).
    const web = converged(want).ipvs[0]!;
    const api: IpvsService = {
      ...web,
      id: { protocol: 'tcp', address: '10.0.0.100', port: 8080 },
      destinations: [...web.destinations, { ...web.destinations[0]!, address: '10.0.0.12', weight: 0 }],
    };
    const observed = { ...converged(want), ipvs: [web, api] };
    const keep = { ...want, ipvs: [{ ...api, destinations: web.destinations }] };
    const teardown = planHost(keep, observed, new Set([ownedKey('ipvs-service', 'tcp 10.0.0.100:80')])).changes;
    expect(shell(teardown)).toEqual(['ipvsadm -d -t 10.0.0.100:8080 -r 10.0.0.12:80', 'ipvsadm -D -t 10.0.0.100:80']);
  });
});
