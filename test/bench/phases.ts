// Breakdown of validate + plan into its phases, to show where the time goes: run as a process of its own (node
// phases.js FILE HOST [OBSERVED-DIR], JSON on stdout), so that the code runs cold as in the CLI, with the garbage
// collection inside each phase.
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import { loadObservedDir } from '../../src/host/observed-dir.js';
import { readText } from '../../src/host/read-input.js';
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

/** Each phase in pipeline order: its name, its seconds, and the seconds of garbage collection within them. */
export type Phases = [name: string, seconds: number, gcSeconds: number][];

/** Times each phase of `lbctl plan FILE --host HOST` (observed from DIR, or empty), as the CLI runs them for a clean file (js-yaml's fast path, src/topology/load-text.ts). */
async function planPhases(file: string, host: string, observedDir?: string): Promise<Phases> {
  const spans: [name: string, start: number, end: number][] = [];
  const gcs: [start: number, duration: number][] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => gcs.push([e.startTime, e.duration])));
  observer.observe({ entryTypes: ['gc'] });
  const time = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const value = await fn();
    spans.push([name, start, performance.now()]);
    return value;
  };
  const text = await time('read file', () => readText(file));
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
  // GC entries arrive after the collection: let them in before reading.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const gcWithin = (start: number, end: number) => gcs.filter(([at]) => at >= start && at < end).reduce((n, [, ms]) => n + ms, 0);
  return spans.map(([name, start, end]) => [name, (end - start) / 1e3, gcWithin(start, end) / 1e3]);
}

/** Runs the breakdown in a process of its own (the code cold, as the CLI runs it); `script` is this file's built path. */
export async function coldPlanPhases(script: string, file: string, host: string, observedDir?: string): Promise<Phases> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const args = [script, file, host, ...(observedDir === undefined ? [] : [observedDir])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Phases;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file = '', host = '', observed] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await planPhases(file, host, observed))}\n`);
}
