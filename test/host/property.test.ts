// Properties over random topologies and random prior states of the hosts (seeded, so any failure is reproducible):
// apply on the fake host converges and a re-plan is empty; and the shell plan of the same prior state, run by sh with
// recording stubs in PATH, runs exactly the commands the plan lists.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyHost } from '../../src/host/apply.js';
import { executeChanges } from '../../src/host/execute.js';
import { LEDGER_PATH, parseLedger } from '../../src/host/ledger.js';
import { planLive } from '../../src/host/live-plan.js';
import { probeHost } from '../../src/host/probe.js';
import { desiredStates } from '../../src/desired/desired.js';
import type { HostState } from '../../src/model/state.js';
import { planHost } from '../../src/plan/plan.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeHost } from '../support/fake-host.js';
import { runShellPlan, seededRandom } from '../support/shell-plan-run.js';

const CASES = 60;
const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'sed', 'nq'];

/** A random topology: a director, up to four real servers, one to three services of random methods and options. */
function randomTopology(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const servers = 1 + Math.floor(next() * 4);
  const hosts = Array.from(
    { length: servers },
    (_, i) => `  rs${i + 1}: { interfaces: { eth0: { network: lan, address: 10.0.0.${11 + i}/24 } }, gateway: 10.0.0.1 }`,
  );
  const services = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => {
    const method = pick(['dr', 'tun', 'nat']);
    const members = Array.from({ length: servers }, (_, j) => j + 1).filter(() => next() < 0.7);
    const chosen = members.length > 0 ? members : [1];
    const port = 80 + i;
    const rs = chosen.map(
      (j) => `{ host: rs${j}, weight: ${1 + Math.floor(next() * 5)}${method === 'nat' && next() < 0.5 ? `, port: ${8000 + j}` : ''} }`,
    );
    const persistence = next() < 0.3 ? `, persistence: { timeout: ${60 * (1 + Math.floor(next() * 10))} }` : '';
    return `  s${i}: { vip: 10.0.0.${100 + i}, port: ${port}, scheduler: ${pick(SCHEDULERS)}, method: ${method}, directors: [d], realServers: [${rs.join(', ')}]${persistence} }`;
  });
  return `apiVersion: lbctl/v1
networks: { lan: 10.0.0.0/24 }
hosts:
  d: { interfaces: { eth0: { network: lan, address: 10.0.0.1/24 } } }
${hosts.join('\n')}
services:
${services.join('\n')}
`;
}

/** A random prior state: ARP settings as some other tool left them, a foreign VIP, and part of an earlier apply. */
async function randomPrior(next: () => number, fake: FakeHost, desired: HostState): Promise<void> {
  if (next() < 0.5) fake.sysctls.set('net.ipv4.conf.all.arp_ignore', String(Math.floor(next() * 3)));
  if (next() < 0.5) fake.addresses.set('lo 192.0.2.9/32', { device: 'lo', cidr: '192.0.2.9/32' });
  if (next() < 0.5) {
    const earlier = planHost(desired, (await probeHost(fake, desired)).state).changes;
    await executeChanges(earlier.slice(0, Math.floor(next() * earlier.length)), fake);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'lbctl-property-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('random topologies on random prior states (seeded)', () => {
  const next = seededRandom(20261130);
  const cases = Array.from({ length: CASES }, (_, i) => [i, randomTopology(next)] as const);

  it('generates mostly valid topologies (the generator is not vacuous)', () => {
    const valid = cases.filter(([, text]) => loadTopology('t.yaml', text).topology !== undefined);
    expect(valid.length).toBeGreaterThanOrEqual(CASES * 0.8);
  });

  it.each(cases)('case %i: apply converges, a re-plan is empty, and the shell plan runs exactly its commands', async (i, text) => {
    const topology = loadTopology('t.yaml', text).topology;
    if (!topology) return;
    const draw = seededRandom(1000 + i);
    for (const [name, desired] of desiredStates(topology)) {
      const fake = new FakeHost(['eth0']);
      fake.live = false;
      await randomPrior(draw, fake, desired);

      const before = await probeHost(fake, desired);
      const dir = join(tmp, `${i}-${name}`);
      mkdirSync(dir, { recursive: true });
      const { ran, listed } = runShellPlan(planHost(desired, before.state), dir);
      expect(ran, `case ${i} ${name}: the shell plan`).toBe(listed);

      const result = await applyHost(fake, desired, { requireRoot: true, reload: false, drainTimeoutSec: 0, what: 'property' });
      expect(['converged', 'unchanged'], `case ${i} ${name}: ${result.kind}\n${text}`).toContain(result.kind);
      const owned = new Set(
        parseLedger(fake.files.get(LEDGER_PATH)?.content ?? '{"version":1,"hosts":{}}', LEDGER_PATH).hosts[name]?.owned ?? [],
      );
      expect((await planLive(desired, fake, { owned })).changes, `case ${i} ${name}`).toEqual([]);
    }
  });
});
