// In-process breakdown of validate + plan into its phases, to show where the time goes.
import { readFile } from 'node:fs/promises';
import { loadObservedDir } from '../../src/host/observed-dir.js';
import { desiredStates } from '../../src/model/desired.js';
import { emptyHostState, type HostState } from '../../src/model/state.js';
import { diffHost } from '../../src/plan/diff.js';
import { orderChanges } from '../../src/plan/order.js';
import { makePlan } from '../../src/plan/plan.js';
import { renderJson } from '../../src/render/json.js';
import { checkTopology } from '../../src/topology/checks.js';
import { sortDiagnostics } from '../../src/topology/diagnostics.js';
import { resolveTopology } from '../../src/topology/resolve.js';
import { topologySchema } from '../../src/topology/schema.js';
import { parseSource, place } from '../../src/topology/source.js';

/** Seconds spent in each phase, in pipeline order. */
export type Phases = [string, number][];

/** Times each phase of `lbctl plan FILE --host HOST` (observed from DIR, or empty), as the CLI runs them. */
export async function planPhases(file: string, host: string, observedDir?: string): Promise<Phases> {
  const phases: Phases = [];
  const time = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    const value = await fn();
    phases.push([name, Number(process.hrtime.bigint() - start) / 1e9]);
    return value;
  };
  const text = await time('read file', () => readFile(file, 'utf8'));
  const { source } = await time('YAML parse (parseDocument)', () => parseSource(file, text));
  const input = await time('YAML toJS', () => source.doc.toJS() as unknown);
  const parsed = await time('schema (zod)', () => topologySchema.safeParse(input));
  if (!parsed.success) throw new Error('bench topology fails the schema');
  const { topology, diagnostics } = await time('resolve', () => resolveTopology(parsed.data));
  const checks = await time('cross-checks', () => checkTopology(topology));
  await time('place + sort diagnostics', () => sortDiagnostics(place(source, [...diagnostics, ...checks])));
  const desired = await time('desired states', () => desiredStates(topology));
  const want = desired.get(host);
  if (!want) throw new Error(`no host ${host}`);
  const observed: HostState = observedDir === undefined
    ? emptyHostState(host)
    : (await time('read + parse observed captures', () => loadObservedDir(observedDir, host, want))).state;
  const { changes, unmanaged } = await time('diff', () => diffHost(want, observed, new Set()));
  const ordered = await time('order changes', () => orderChanges(changes));
  await time('render JSON', () => renderJson(makePlan([{ host, changes: ordered, unmanaged, warnings: [] }])));
  return phases;
}
