// In-process breakdown of validate + plan into its phases, to show where the time goes.
import { readFile } from 'node:fs/promises';
import jsyaml from 'js-yaml';
import { loadObservedDir } from '../../src/host/observed-dir.js';
import { desiredStates } from '../../src/desired/desired.js';
import { emptyHostState, type HostState } from '../../src/model/state.js';
import { diffHost } from '../../src/plan/diff.js';
import { orderChanges } from '../../src/plan/order.js';
import { makePlan } from '../../src/plan/plan.js';
import { renderJson } from '../../src/present/json.js';
import { checkTopology } from '../../src/topology/checks.js';
import { hasErrors } from '../../src/topology/diagnostics.js';
import { resolveTopology } from '../../src/topology/resolve.js';
import { judgeTopology } from '../../src/topology/load.js';

/** Seconds spent in each phase, in pipeline order. */
export type Phases = [string, number][];

/** Times each phase of `lbctl plan FILE --host HOST` (observed from DIR, or empty), as the CLI runs them for a clean file (js-yaml's fast path, src/topology/load-text.ts). */
export async function planPhases(file: string, host: string, observedDir?: string): Promise<Phases> {
  const phases: Phases = [];
  const time = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    const value = await fn();
    phases.push([name, Number(process.hrtime.bigint() - start) / 1e9]);
    return value;
  };
  const text = await time('read file', () => readFile(file, 'utf8'));
  const input = await time('YAML parse (js-yaml)', () => jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }));
  const verdict = await time('schema', () => judgeTopology(input));
  if (!('data' in verdict)) throw new Error('bench topology fails the schema');
  const { topology, diagnostics } = await time('resolve', () => resolveTopology(verdict.data));
  const checks = await time('cross-checks', () => checkTopology(topology));
  if (hasErrors([...diagnostics, ...checks])) throw new Error('bench topology has errors');
  const desired = await time('desired states', () => desiredStates(topology));
  const want = desired.get(host);
  if (!want) throw new Error(`no host ${host}`);
  const observed: HostState =
    observedDir === undefined
      ? emptyHostState(host)
      : (await time('read + parse observed captures', () => loadObservedDir(observedDir, host, want))).observed.state;
  const { changes, unmanaged } = await time('diff', () => diffHost(want, observed, new Set()));
  const ordered = await time('order changes', () => orderChanges(changes));
  await time('render JSON', () => renderJson(makePlan([{ host, changes: ordered, unmanaged, warnings: [] }])));
  return phases;
}
