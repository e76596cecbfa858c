// A rollout over five fake hosts with a failure injected on the third: the first two stay converged, the third is
// rolled back to what it was, the last two are never touched, the report says where each stands and how to go on,
// and running the same rollout again finishes the job.
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import { identityOf } from '../../src/desired/identity.js';
import { rolesOf } from '../../src/desired/roles.js';
import { rollout, type RolloutEvent, type RolloutHost } from '../../src/host/rollout.js';
import { rolloutText } from '../../src/present/rollout.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeHost } from '../support/fake-host.js';

const NAMES = ['h1', 'h2', 'h3', 'h4', 'h5'];
const address = (i: number) => `10.77.0.${i + 1}`;

/** Five clients on one network, each with a default route: a route, the boot unit and its enabling to apply. */
function fleet(): { hosts: RolloutHost[]; fakes: FakeHost[] } {
  const text = `apiVersion: lbctl/v1\nnetworks: { lan: 10.77.0.0/16 }\nhosts:\n${NAMES.map(
    (n, i) => `  ${n}: { roles: [client], interfaces: { eth0: { network: lan, address: ${address(i)}/16 } }, gateway: 10.77.255.254 }`,
  ).join('\n')}\n`;
  const topology = loadTopology('fleet.yaml', text).topology!;
  const desired = desiredStates(topology);
  const roles = rolesOf(topology);
  const fakes = NAMES.map((_, i) => {
    const fake = new FakeHost(['eth0']);
    fake.addresses.set(`eth0 ${address(i)}/16`, { device: 'eth0', cidr: `${address(i)}/16` });
    return fake;
  });
  const hosts = NAMES.map((name, i) => ({
    name,
    host: fakes[i]!,
    desired: desired.get(name)!,
    identity: identityOf(topology, name),
    roles: roles.get(name)!,
  }));
  return { hosts, fakes };
}

const options = (events: RolloutEvent[] = []) => ({
  parallel: 1,
  drainTimeoutSec: 300,
  readyTimeoutSec: 60,
  requireRoot: true,
  onEvent: (e: RolloutEvent) => void events.push(e),
});

describe('a rollout that fails on the third of five hosts', () => {
  it('keeps the first two converged, rolls the third back, leaves the rest untouched, and a rerun finishes', async () => {
    const { hosts, fakes } = fleet();
    const before = fakes.map((f) => f.snapshot());
    // The third host's last change (enabling the boot unit) fails, after its route and unit file took effect.
    fakes[2]!.failWhen = (argv) => argv[0] === 'systemctl';
    const events: RolloutEvent[] = [];
    const report = await rollout(hosts, options(events));

    expect(report.ok).toBe(false);
    expect(report.hosts.map((h) => h.state)).toEqual(['converged', 'converged', 'failed', 'not-started', 'not-started']);
    const failed = report.hosts[2]!;
    expect(failed).toMatchObject({ host: 'h3', state: 'failed', step: 'finish' });
    expect(failed.state === 'failed' && failed.reason).toMatch(/systemctl enable lbctl\.service .*; rolled back 2 change\(s\)$/);
    expect(fakes[0]!.snapshot()).not.toBe(before[0]);
    expect(fakes[1]!.snapshot()).not.toBe(before[1]);
    expect(fakes[2]!.snapshot()).toBe(before[2]);
    expect(fakes[2]!.log).toContain('ip route replace default via 10.77.255.254');
    expect(fakes[3]!.log).toEqual([]);
    expect(fakes[4]!.log).toEqual([]);
    expect(events.filter((e) => e.state !== 'start').map((e) => `${e.host} ${e.state}`)).toEqual(['h1 done', 'h2 done', 'h3 failed']);

    const again = 'lbctl apply fleet.yaml --all --inventory inv.yaml --yes';
    expect(rolloutText(report, again).split('\n')).toEqual([
      'h1: converged (3 change(s))',
      'h2: converged (3 change(s))',
      `h3: FAILED at finish: ${failed.state === 'failed' ? failed.reason : ''}`,
      'h4: not started (untouched)',
      'h5: not started (untouched)',
      `stopped at the first failure; fix it and run \`${again}\` again: finished hosts show no changes and the rollout goes on from where it stopped`,
      '',
    ]);

    fakes[2]!.failWhen = () => false;
    const converged = fakes.slice(0, 2).map((f) => f.snapshot());
    const rerun = await rollout(hosts, options());
    expect(rerun.ok).toBe(true);
    expect(rerun.hosts.map((h) => h.state)).toEqual(['unchanged', 'unchanged', 'converged', 'converged', 'converged']);
    expect(fakes.slice(0, 2).map((f) => f.snapshot())).toEqual(converged);
    expect(new Set(fakes.map((f) => f.snapshot().replace(/10\.77\.0\.\d+/g, 'ADDR'))).size).toBe(1);
  });
});
