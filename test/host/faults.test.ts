// Fault injection at every step of apply, on the fake host: a crash (kill -9), an interruption (SIGINT/SIGTERM),
// a full disk (ENOSPC) or failing command, and a read-only file system (EROFS). After the fault nothing lbctl made is
// unowned; after a rollback the host is exactly as before; after one more apply it is exactly the desired state with
// every object lbctl made in its ledger.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHost, type ApplyResult } from '../../src/host/apply.js';
import { LEDGER_PATH, parseLedger } from '../../src/host/ledger.js';
import { planLive } from '../../src/host/live-plan.js';
import { probeHost } from '../../src/host/probe.js';
import { desiredStates } from '../../src/desired/desired.js';
import { emptyHostState, type HostState } from '../../src/model/state.js';
import { ownedKey } from '../../src/plan/diff.js';
import { planHost } from '../../src/plan/plan.js';
import type { Kind } from '../../src/plan/types.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeHost } from '../support/fake-host.js';

const TOPOLOGIES = join(import.meta.dirname, '..', '..', 'topologies');
const REMOVABLE = new Set<Kind>(['link', 'address', 'route', 'ipvs-service', 'ipvs-destination', 'nft-table', 'file']);

/** A host of an example topology that lbctl configures: its desired state and the interfaces its fake needs. */
const examples = readdirSync(TOPOLOGIES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) => {
    const t = loadTopology(file, readFileSync(join(TOPOLOGIES, file), 'utf8')).topology!;
    const states = desiredStates(t);
    return [...t.hosts.values()].map((h) => ({
      name: `${file} ${h.name}`,
      desired: states.get(h.name)!,
      devices: h.interfaces.map((i) => i.name),
    }));
  });

/** The ledger keys of every removable object the host holds, found by the planner's own keys. */
async function objectsOn(fake: FakeHost, desired: HostState): Promise<Set<string>> {
  const observed = await probeHost(fake, desired);
  const all = planHost(observed.state, emptyHostState(desired.host)).changes;
  return new Set(all.filter((c) => REMOVABLE.has(c.kind)).map((c) => ownedKey(c.kind, c.key)));
}

/** What the ledger on the fake host says lbctl owns. */
function ledgerOwned(fake: FakeHost, host: string): Set<string> {
  const file = fake.files.get(LEDGER_PATH);
  return new Set(file ? (parseLedger(file.content, LEDGER_PATH).hosts[host]?.owned ?? []) : []);
}

/**
 * Objects the host holds now, that it did not hold before the apply, and that the ledger does not own. A link that is
 * down is as the kernel made it when its module loaded (tunl0 with ipip): not lbctl's doing.
 */
async function orphans(fake: FakeHost, desired: HostState, before: Set<string>): Promise<string[]> {
  const owned = ledgerOwned(fake, desired.host);
  const madeByKernel = (k: string) => k === ownedKey('link', 'tunl0') && !fake.tunl0.up;
  return [...(await objectsOn(fake, desired))].filter((k) => !before.has(k) && !owned.has(k) && !madeByKernel(k));
}

/** A crash: the operation does not happen, nor does anything after it (rollback and ledger writes included). */
class Killed extends Error {}

const apply = (fake: FakeHost, desired: HostState, interrupted?: () => boolean): Promise<ApplyResult> =>
  applyHost(fake, desired, { requireRoot: true, reload: true, drainTimeoutSec: 0, what: 'test', ...(interrupted ? { interrupted } : {}) });

/** Counts the operations that change the host during a clean apply from empty. */
async function changeOps(desired: HostState, devices: string[]): Promise<number> {
  const fake = new FakeHost(devices);
  let n = 0;
  fake.beforeChange = () => void n++;
  await apply(fake, desired);
  return n;
}

const hosts = [];
for (const h of examples) {
  const steps = await changeOps(h.desired, h.devices);
  if (steps > 0) hosts.push({ ...h, steps });
}

type Fault = 'kill' | 'interrupt' | 'enospc' | 'erofs';

/** Sets up fault `fault` at change operation `k` (0-based); returns the `interrupted` poll for SIGINT. */
function inject(fake: FakeHost, fault: Fault, k: number): (() => boolean) | undefined {
  let n = 0;
  const isFile = (op: string) => op.startsWith('write ') || op.startsWith('remove ');
  if (fault === 'interrupt') {
    fake.beforeChange = () => void n++;
    return () => n >= k;
  }
  fake.beforeChange = (op) => {
    const index = n++;
    if (fault === 'kill' && index >= k) throw new Killed(`killed at ${op}`);
    if (fault === 'enospc' && index === k) throw Object.assign(new Error(`ENOSPC: no space left on device (${op})`), { code: 'ENOSPC' });
    if (fault === 'erofs' && index >= k && isFile(op))
      throw Object.assign(new Error(`EROFS: read-only file system (${op})`), { code: 'EROFS' });
  };
  return undefined;
}

describe.each(hosts)('faults at every step of apply: $name ($steps changes)', ({ desired, devices, steps }) => {
  it('after each fault: nothing unowned, a clean rollback restores the host, and one more apply converges', async () => {
    for (const fault of ['kill', 'interrupt', 'enospc', 'erofs'] as const) {
      for (let k = 0; k < steps; k++) {
        const where = `${fault} at change ${k} of ${steps}`;
        const fake = new FakeHost(devices);
        const before = fake.snapshot();
        const objectsBefore = await objectsOn(fake, desired);
        const interrupted = inject(fake, fault, k);
        // A killed apply has no result: it died at the fault.
        const result = await apply(fake, desired, interrupted).catch((err: unknown) => {
          if (!(err instanceof Killed)) throw err;
          return null;
        });
        fake.beforeChange = () => undefined;
        fake.lockedBy = null;
        expect(await orphans(fake, desired, objectsBefore), where).toEqual([]);
        if (result?.kind === 'failed' && result.notUndone.length === 0) expect(fake.snapshot(), where).toBe(before);
        // An interruption stops apply between units; one that arrives during the last unit lets it finish.
        if (fault === 'interrupt')
          expect(result?.kind === 'failed' ? result.cause : result?.kind, where).toMatch(/^(interrupted|converged)$/);
        expect(
          [...fake.files.keys()].filter((p) => p.includes('.lbctl-') && !fake.bookkeeping(p)),
          where,
        ).toEqual([]);

        const again = await apply(fake, desired);
        expect(['converged', 'unchanged'], `${where}: ${again.kind}`).toContain(again.kind);
        expect((await planLive(desired, fake, { owned: ledgerOwned(fake, desired.host) })).changes, where).toEqual([]);
        expect(await orphans(fake, desired, objectsBefore), where).toEqual([]);
      }
    }
  });
});
