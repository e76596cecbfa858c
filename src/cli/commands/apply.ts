// `lbctl apply FILE --host NAME`: converge a live host — probe, plan, confirm, execute, verify, record.
import { createInterface } from 'node:readline/promises';
import { applyPlan, onlyDraining, planLive } from '../../host/apply.js';
import type { HostAccess } from '../../host/execute.js';
import { localFiles } from '../../host/files.js';
import { checkFrrContent } from '../../host/frr-check.js';
import { readLedger, recordChanges, recordDrains, writeLedger } from '../../host/ledger.js';
import { acquireLock, LockHeld } from '../../host/lock.js';
import { preflight, Unprepared } from '../../host/preflight.js';
import { execaRunner } from '../../host/runner.js';
import { desiredStates } from '../../model/desired.js';
import { ownedKey } from '../../plan/diff.js';
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
    const ledger = await readLedger(opts.root);
    let owned = new Set(ledger.hosts[opts.host]?.owned ?? []);
    let draining = ledger.hosts[opts.host]?.draining ?? {};
    const drain = { drainExpired: (key: string) => draining[key] !== undefined && Date.now() - Date.parse(draining[key]!) > opts.drainTimeout * 1000 };
    let plan = await planLive(desired, host, owned, drain);
    if (opts.pruneForeign && plan.unmanaged.length > 0) {
      owned = new Set([...owned, ...plan.unmanaged.map((u) => ownedKey(u.kind, u.key))]);
      plan = await planLive(desired, host, owned, drain);
    }
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
    const started = Date.now();
    let applied = 0;
    let processes = 0;
    for (;;) {
      const report = await applyPlan(desired, plan, host, owned, drain);
      const failure = report.execution.failure;
      if (!failure) {
        owned = recordChanges(owned, report.execution.applied);
        draining = recordDrains(draining, report.execution.applied, new Date());
      }
      await writeLedger(opts.root, { ...ledger, hosts: { ...ledger.hosts, [opts.host]: { owned: [...owned].sort(), draining } } });
      if (failure) {
        io.err(`apply failed at: ${describeChange(failure.change)}\n  ${failure.error.message.replace(/\n/g, '\n  ')}\n`);
        io.err(`rolled back ${report.execution.rolledBack.length} change(s) in reverse order\n`);
        for (const n of report.execution.notUndone) io.err(`  not undone: ${n}\n`);
        return EXIT.failed;
      }
      applied += report.execution.applied.length;
      processes += report.execution.processes;
      const remaining = report.remaining!;
      // A drain's second step (deleting a real server whose connections ended) follows at once.
      if (remaining.changes.length > 0 && remaining.changes.every((c) => c.kind === 'ipvs-destination' && c.action === 'delete')) {
        plan = remaining;
        continue;
      }
      if (remaining.changes.length > 0) {
        io.err('applied, but probing again still finds differences:\n');
        io.err(renderPlan(makePlan([remaining]), 'human'));
        return EXIT.drift;
      }
      if (onlyDraining(remaining) && opts.wait && Date.now() - started < opts.drainTimeout * 1000) {
        await new Promise((r) => setTimeout(r, 1000));
        plan = await planLive(desired, host, owned, drain);
        continue;
      }
      for (const w of remaining.warnings.filter((x) => x.startsWith('draining '))) io.out(`${w}\n`);
      io.out(`applied ${applied} change(s) with ${processes} process(es); host ${opts.host} verified converged\n`);
      return EXIT.ok;
    }
  } finally {
    await release();
  }
}
