import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withAgentDecisions } from '../../src/agent/overrides.js';
import { emptySaved } from '../../src/health/engine.js';
import { desiredStates } from '../../src/desired/desired.js';
import { planHost } from '../../src/plan/plan.js';
import { loadTopology } from '../../src/topology/load.js';

const load = (file: string) => loadTopology(file, readFileSync(file, 'utf8')).topology!;

describe("the agent's decisions as data for plan and apply", () => {
  it('a weight the agent lowered is desired as lowered: the plan does not undo it', () => {
    const t = load('topologies/dr-web.yaml');
    const desired = desiredStates(t).get('director')!;
    const saved = { ...emptySaved(), overrides: { 'tcp 192.168.10.100:80': { '192.168.10.21:80': 0 } } };
    const adjusted = withAgentDecisions(desired, t, saved);
    const web = adjusted.ipvs.find((s) => s.id.protocol === 'tcp' && s.id.port === 80)!;
    expect(web.destinations.map((d) => `${d.address} ${d.weight}`)).toEqual(['192.168.10.21 0', '192.168.10.22 2', '192.168.10.23 1']);
    // the kernel as the agent left it: planned against the adjusted state, nothing to change there
    const plan = planHost(adjusted, adjusted, new Set(), []);
    expect(plan.changes).toEqual([]);
    // without the agent's state, the same kernel is drift to undo
    expect(planHost(desired, adjusted, new Set(), []).changes.map((c) => `${c.action} ${c.kind} ${c.key}`)).toEqual([
      'update ipvs-destination tcp 192.168.10.100:80 192.168.10.21:80',
    ]);
  });

  it('a removed real server stays removed, and a withdrawn anycast prefix stays off lo', () => {
    const dr = load('topologies/dr-web.yaml');
    const removed = withAgentDecisions(desiredStates(dr).get('director')!, dr, {
      ...emptySaved(),
      overrides: { 'tcp 192.168.10.100:80': { '192.168.10.22:80': null } },
    });
    expect(removed.ipvs.find((s) => s.id.protocol === 'tcp' && s.id.port === 80)!.destinations.map((d) => d.address)).toEqual([
      '192.168.10.21',
      '192.168.10.23',
    ]);
    const any = load('topologies/dns-anycast-ospf.yaml');
    const dns1 = desiredStates(any).get('dns1')!;
    expect(dns1.addresses.map((a) => `${a.device} ${a.cidr}`)).toContain('lo 6.6.6.6/32');
    const withdrawn = withAgentDecisions(dns1, any, {
      ...emptySaved(),
      anycast: { dns: { announced: false, holdDownMs: 2000, since: 0, returned: false } },
    });
    expect(withdrawn.addresses.map((a) => `${a.device} ${a.cidr}`)).not.toContain('lo 6.6.6.6/32');
  });
});
