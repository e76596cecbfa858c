// Plans of HA directors: a VRRP VIP is nobody's drift, sync daemons are desired state, ECMP plans promise one order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import type { HostState } from '../../src/model/state.js';
import { ownedKey } from '../../src/plan/diff.js';
import { planHost } from '../../src/plan/plan.js';
import { stepsFor } from '../../src/plan/steps.js';
import { stepToShell } from '../../src/present/shell.js';
import { loadTopology } from '../../src/topology/load.js';

function desired(name: string): Map<string, HostState> {
  const file = join(import.meta.dirname, '..', '..', 'topologies', `${name}.yaml`);
  const { topology, diagnostics } = loadTopology(file, readFileSync(file, 'utf8'));
  expect(diagnostics).toEqual([]);
  return desiredStates(topology!);
}

describe('ha: vrrp', () => {
  const d1 = desired('vrrp-web').get('d1')!;
  const vip = { device: 'eth0', cidr: '10.50.0.100/32' };

  it('never adds the VIP itself, now or at boot', () => {
    expect(d1.addresses).toEqual([]);
    expect(d1.floating).toEqual([vip]);
    expect(d1.files.find((f) => f.path.endsWith('lbctl.service'))?.content).not.toContain('10.50.0.100');
  });

  it('leaves the VIP on the master alone even when lbctl once owned it', () => {
    const master: HostState = { ...structuredClone(d1), addresses: [vip] };
    const plan = planHost(d1, master, new Set([ownedKey('address', 'eth0 10.50.0.100/32')]));
    expect(plan.changes).toEqual([]);
    expect(plan.unmanaged).toEqual([]);
  });

  it('restarts a sync daemon whose sync id drifted, and starts a missing one', () => {
    const drifted: HostState = { ...structuredClone(d1), syncDaemons: [{ role: 'master', interface: 'eth0', syncId: 7 }] };
    const plan = planHost(d1, drifted);
    expect(plan.changes.flatMap((c) => stepsFor(c).map(stepToShell))).toEqual([
      'ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 1',
      'ipvsadm --stop-daemon master',
      'ipvsadm --start-daemon master --mcast-interface eth0 --syncid 1',
    ]);
  });
});

describe('ha: ecmp', () => {
  it('re-adds, in order, the real servers that sort after a new one, so the kernel keeps address order', () => {
    const d1 = desired('ecmp-web').get('d1')!;
    const observed = structuredClone(d1);
    observed.ipvs[0]!.destinations = observed.ipvs[0]!.destinations.filter((d) => d.address !== '10.30.0.22');
    const plan = planHost(d1, observed);
    expect(plan.changes.flatMap((c) => stepsFor(c).map(stepToShell))).toEqual([
      'ipvsadm -a -t 10.40.0.100:80 -r 10.30.0.22:80 -g -w 1',
      'ipvsadm -d -t 10.40.0.100:80 -r 10.30.0.23:80',
      'ipvsadm -a -t 10.40.0.100:80 -r 10.30.0.23:80 -g -w 1',
    ]);
  });

  it('re-adds nothing when the new real server sorts last, nor in services without ha: ecmp', () => {
    const d1 = desired('ecmp-web').get('d1')!;
    const observed = structuredClone(d1);
    observed.ipvs[0]!.destinations = observed.ipvs[0]!.destinations.filter((d) => d.address !== '10.30.0.23');
    expect(planHost(d1, observed).changes.map((c) => `${c.action} ${c.key}`)).toEqual(['create tcp 10.40.0.100:80 10.30.0.23:80']);
    const vrrp = desired('vrrp-web').get('d1')!;
    const seen = structuredClone(vrrp);
    seen.ipvs[0]!.destinations = seen.ipvs[0]!.destinations.filter((d) => d.address !== '10.50.0.21');
    expect(planHost(vrrp, seen).changes.map((c) => `${c.action} ${c.key}`)).toEqual(['create tcp 10.50.0.100:80 10.50.0.21:80']);
  });

  it('says that every director adds the real servers in one order, and adds them so', () => {
    const states = desired('ecmp-web');
    for (const name of ['d1', 'd2']) {
      const s = states.get(name)!;
      const plan = planHost(s, { ...structuredClone(s), ipvs: [] });
      expect(plan.warnings).toEqual([
        expect.stringMatching(
          /^ECMP service tcp 10\.40\.0\.100:80: real servers are added in address order, the same order on every director/,
        ),
      ]);
      expect(plan.changes.filter((c) => c.kind === 'ipvs-destination').map((c) => c.key)).toEqual(
        ['21', '22', '23'].map((o) => `tcp 10.40.0.100:80 10.30.0.${o}:80`),
      );
    }
  });
  it('makes that promise for mh only: no order helps an ECMP service on another scheduler', () => {
    const d1 = desired('ecmp-web').get('d1')!;
    const wrr = { ...d1, ipvs: d1.ipvs.map((s) => ({ ...s, scheduler: 'wrr', flags: [] })) };
    expect(planHost(wrr, { ...structuredClone(wrr), ipvs: [] }).warnings).toEqual([]);
  });
});
