// `lbctl apply FILE --host NAME`: converge a live host — probe, plan, confirm, execute, verify, record.
import { createInterface } from 'node:readline/promises';
import { Convergence } from '../../host/converge.js';
import type { HostAccess } from '../../host/execute.js';
import { localFiles } from '../../host/files.js';
import { checkFrrContent } from '../../host/frr-check.js';
import { acquireLock, LockHeld } from '../../host/lock.js';
import { preflight, Unprepared } from '../../host/preflight.js';
import { execaRunner } from '../../host/runner.js';
import { desiredStates } from '../../model/desired.js';
import { makePlan } from '../../plan/plan.js';
import { describeChange } from '../../render/describe.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { requireTopology } from '../load.js';
import { renderPlan } from './plan.js';

/** Options of `lbctl apply`. */
export interface ApplyOptions {
  host: string;
  yes?: boolean;
  root: string;
  pruneForeign?: boolean;
  observedOnlyCheck?: boolean;
  /** Block until drained real servers are deleted (or the drain times out). */
  wait?: boolean;
  /** Seconds a real server drains before it is deleted even with connections left. */
  drainTimeout: number;
  /** false with --no-reload: files are written, daemons are not told (labs, image builds). */
  reload?: boolean;
}

async function confirm(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question('Apply these changes? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}

/** The real host, with files below `root` and routing configs checked by FRR's parser. */
function liveHost(root: string): HostAccess {
  return { runner: execaRunner, files: localFiles(root, execaRunner), check: (f) => checkFrrContent(f.path.split('/').pop() ?? 'frr.conf', f.content) };
}

/** Runs apply; exit 0 converged (or nothing to do), 2 drift found by --observed-only-check, 3 failed and rolled back, 4 drift remains. */
export async function applyCommand(file: string, opts: ApplyOptions, io: Io): Promise<number> {
  const desired = desiredStates(await requireTopology(file, io.err)).get(opts.host);
  if (!desired) throw new CliError(`unknown host ${opts.host}`, EXIT.usage);
  const host = liveHost(opts.root);
  try {
    await preflight(desired, host.runner, opts.root === '/');
  } catch (err) {
    if (err instanceof Unprepared) throw new CliError(err.message, err.reason === 'not-root' ? EXIT.noPermission : EXIT.unavailable);
    throw err;
  }
  let release: () => Promise<void>;
  try {
    release = await acquireLock(opts.root, `apply ${file} --host ${opts.host}`);
  } catch (err) {
    if (err instanceof LockHeld) throw new CliError(err.message, EXIT.locked);
    throw err;
  }
  try {
    const session = await Convergence.open(desired, host, opts.root, opts.drainTimeout);
    const planned = await session.plan(opts.pruneForeign);
    // Below --root the daemons do not read these files: reloading them would touch the real host.
    const plan = opts.reload === false || opts.root !== '/' ? { ...planned, changes: planned.changes.filter((c) => c.kind !== 'reload') } : planned;
    io.out(renderPlan(makePlan([plan]), 'human'));
    if (plan.changes.length === 0) {
      io.out(`host ${opts.host} matches the topology: nothing to do\n`);
      return EXIT.ok;
    }
    if (opts.observedOnlyCheck) return EXIT.changes;
    if (!opts.yes) {
      if (!process.stdin.isTTY) throw new CliError('not on a terminal: pass --yes to apply without asking', EXIT.usage);
      if (!(await confirm())) {
        io.out('nothing changed\n');
        return EXIT.ok;
      }
    }
    const outcome = await session.converge(plan, opts.wait === true);
    if (outcome.kind === 'failed') {
      io.err(`apply failed at: ${describeChange(outcome.change)}\n  ${outcome.error.message.replace(/\n/g, '\n  ')}\n`);
      io.err(`rolled back ${outcome.rolledBack} change(s) in reverse order\n`);
      for (const n of outcome.notUndone) io.err(`  not undone: ${n}\n`);
      return EXIT.failed;
    }
    if (outcome.kind === 'drift') {
      io.err('applied, but probing again still finds differences:\n');
      io.err(renderPlan(makePlan([outcome.remaining]), 'human'));
      return EXIT.drift;
    }
    for (const w of outcome.draining) io.out(`${w}\n`);
    io.out(`applied ${outcome.applied} change(s) with ${outcome.processes} process(es); host ${opts.host} verified converged\n`);
    return EXIT.ok;
  } finally {
    await release();
  }
}
