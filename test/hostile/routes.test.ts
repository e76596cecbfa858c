// A host with a second default route (another gateway, a lower metric) converged never: routes were keyed by
// destination only, so lbctl "replaced" the foreign route on every apply. Routes are keyed by destination and metric.
import { describe, expect, it } from 'vitest';
import { emptyHostState, type Route } from '../../src/model/state.js';
import { parseIpRoute } from '../../src/drivers/iproute/parse.js';
import { ownedKey } from '../../src/plan/diff.js';
import { planHost } from '../../src/plan/plan.js';
import { stepsFor } from '../../src/plan/steps.js';
import { applyPlan, planLive } from '../../src/host/live-plan.js';
import { FakeHost } from '../support/fake-host.js';

const ours: Route = { family: 'inet', destination: 'default', via: '10.0.0.1' };

/** [what, `ip -j route` output, the commands the plan runs]: a route lbctl does not manage is ignored, never replaced. */
const CASES: [string, string, string[]][] = [
  ['ours alone', '[{"dst":"default","gateway":"10.0.0.1","dev":"eth0"}]', []],
  [
    'ours and a foreign backup default (metric 5)',
    '[{"dst":"default","gateway":"10.0.0.1","dev":"eth0"},{"dst":"default","gateway":"10.0.0.9","dev":"eth0","metric":5}]',
    [],
  ],
  [
    'only the foreign backup',
    '[{"dst":"default","gateway":"10.0.0.9","dev":"eth0","metric":5}]',
    ['ip route replace default via 10.0.0.1'],
  ],
  ['ours via another gateway', '[{"dst":"default","gateway":"10.0.0.9","dev":"eth0"}]', ['ip route replace default via 10.0.0.1']],
  ['metric 0 written out is the default metric', '[{"dst":"default","gateway":"10.0.0.1","dev":"eth0","metric":0}]', []],
];

describe('routes keyed by destination and metric', () => {
  it.each(CASES)('%s', (_what, json, commands) => {
    const desired = { ...emptyHostState('h'), routes: [ours] };
    const observed = { ...emptyHostState('h'), routes: parseIpRoute(json, 'inet') };
    const plan = planHost(desired, observed);
    expect(plan.changes.flatMap(stepsFor).map((s) => (s.op === 'exec' ? s.argv.join(' ') : s.op))).toEqual(commands);
  });

  it('IPv6 routes: metric 1024 is the default, others are kept apart', () => {
    const routes = parseIpRoute(
      '[{"dst":"default","gateway":"fe80::1","metric":1024},{"dst":"default","gateway":"fe80::2","metric":100}]',
      'inet6',
    );
    expect(routes).toEqual([
      { family: 'inet6', destination: 'default', via: 'fe80::2', metric: 100 },
      { family: 'inet6', destination: 'default', via: 'fe80::1' },
    ]);
  });

  it('an owned route with a metric is deleted with its metric (so the kernel deletes that one)', () => {
    const observed = { ...emptyHostState('h'), routes: parseIpRoute('[{"dst":"10.9.0.0/16","gateway":"10.0.0.9","metric":5}]', 'inet') };
    const plan = planHost(emptyHostState('h'), observed, new Set([ownedKey('route', 'inet 10.9.0.0/16 metric 5')]));
    expect(plan.changes.flatMap(stepsFor)).toEqual([
      { op: 'exec', argv: ['ip', 'route', 'del', '10.9.0.0/16', 'via', '10.0.0.9', 'metric', '5'] },
    ]);
  });

  it('apply on a host with a foreign backup default route converges and leaves that route alone', async () => {
    const desired = { ...emptyHostState('h'), routes: [ours] };
    const fake = new FakeHost();
    const backup: Route = { family: 'inet', destination: 'default', via: '10.0.0.9', metric: 5 };
    fake.routes.set('inet default metric 5', backup);
    const none = { owned: new Set<string>() };
    const report = await applyPlan(desired, await planLive(desired, fake, none), fake, none);
    expect(report.execution.failure).toBeUndefined();
    expect(report.remaining?.changes).toEqual([]);
    expect((await planLive(desired, fake, none)).changes).toEqual([]);
    expect([...fake.routes.values()]).toEqual([backup, ours]);
  });
});
