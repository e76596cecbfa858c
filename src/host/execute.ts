// Carries out a plan's changes on a host, batching IPVS changes into one `ipvsadm -R`, addresses into one
// `ip -batch` and sysctl settings into one `sysctl -w`, and undoes what it did, in reverse, when a step fails.
import { addressKey, destinationKey, serviceKey } from '../model/keys.js';
import { batchText, IP_BATCH_ARGV } from '../drivers/iproute/argv.js';
import { parseIpAddr } from '../drivers/iproute/parse.js';
import { destinationAttrsEqual, serviceAttrsEqual } from '../drivers/ipvs/equal.js';
import { parseIpvsadmSave } from '../drivers/ipvs/parse-save.js';
import { IPVSADM_RESTORE_ARGV, restoreText } from '../drivers/ipvs/rules.js';
import { sysctlReadManyArgv, sysctlWriteManyArgv } from '../drivers/sysctl/argv.js';
import { parseSysctl, sysctlValue } from '../drivers/sysctl/parse.js';
import type { IpvsService } from '../model/state.js';
import { CAPTURE_COMMANDS } from '../observed/captures.js';
import { addressCommandOf, ipvsRulesOf, stepsFor, type Step } from '../plan/steps.js';
import type { Change } from '../plan/types.js';
import { CommandError, runChecked, type Host, type Runner } from './port.js';

/** Why an execution stopped short: a step failed, or the operator interrupted it (SIGINT/SIGTERM). */
export type FailureCause = 'step' | 'interrupted';

/** The change an execution stopped at, and why. */
export interface ExecuteFailure {
  change: Change;
  error: Error;
  cause: FailureCause;
}

/** What happened: the changes done, the one that failed, and what rollback did. */
export interface ExecuteResult {
  applied: Change[];
  /** Number of processes started (`ipvsadm -R` counts once per batch). */
  processes: number;
  failure?: ExecuteFailure;
  rolledBack: Change[];
  /** Changes that could not be undone, with why (e.g. a sysctl whose old value was never seen). */
  notUndone: string[];
}

/** What the caller hears of an execution while it runs. */
export interface ExecuteHooks {
  /** Called before each unit (a change, or a batch of them) runs: the place to record intent (write-ahead). */
  beforeUnit?: (changes: readonly Change[]) => Promise<void>;
  /** True once the operator asked to stop: no further unit starts, and what ran is rolled back. */
  interrupted?: () => boolean;
}

/** The change that undoes `c`, or null when it cannot (or need not) be undone. */
export function inverseOf(c: Change): Change | null {
  if (c.kind === 'module' || c.kind === 'reload') return null;
  if (c.kind === 'sysctl' && c.before === null) return null;
  const action = c.action === 'create' ? 'delete' : c.action === 'delete' ? 'create' : 'update';
  return { ...c, action, before: c.after, after: c.before } as Change;
}

/** True when the observed IPVS table shows the change's intended result. */
function ipvsChangeHolds(c: Change, table: Map<string, IpvsService>): boolean {
  if (c.kind === 'ipvs-service') {
    const spec = c.after ?? c.before;
    if (!spec) return false;
    const s = table.get(serviceKey(spec.id));
    if (c.after === null) return s === undefined;
    return s !== undefined && serviceAttrsEqual(s, c.after);
  }
  if (c.kind === 'ipvs-destination') {
    const spec = c.after ?? c.before;
    if (!spec) return false;
    const d = table.get(serviceKey(spec.service))?.destinations.find((x) => destinationKey(x) === destinationKey(spec));
    if (c.after === null) return d === undefined;
    // ipvsadm-save shows no thresholds: they cannot be read back.
    return d !== undefined && destinationAttrsEqual(d, c.after, false);
  }
  return false;
}

class Executor {
  processes = 0;
  constructor(private readonly host: Host) {}

  /** Runs one step; `undoing` (a rollback) replaces and removes files without keeping backups of lbctl's own. */
  async step(step: Step, undoing: boolean): Promise<void> {
    const backup = { backup: !undoing };
    if (step.op === 'write') {
      const problem = step.file.check !== undefined ? await this.host.checkConfig(step.file) : null;
      if (problem !== null)
        throw new Error(
          `${step.file.path}: ${step.file.check === 'keepalived' ? "keepalived's" : "FRR's"} parser rejects the new content, the old file is kept:\n${problem}`,
        );
      return this.host.write(step.file, backup);
    }
    if (step.op === 'remove') return this.host.remove(step.path, backup);
    this.processes++;
    await runChecked(this.host, step.argv, step.stdin === undefined ? undefined : { stdin: step.stdin });
  }

  /** Carries out a change. */
  async change(c: Change, undoing = false): Promise<void> {
    for (const s of stepsFor(c)) await this.step(s, undoing);
  }

  /**
   * The changes with `before` filled in where only now it can be read: sysctls that did not exist when the host was
   * probed (their module was loaded by this very apply), read in one process, so that a rollback can restore them.
   */
  private async withBefores(changes: Change[]): Promise<Change[]> {
    const unknown = changes.flatMap((c) => (c.kind === 'sysctl' && c.before === null ? [c.key] : []));
    if (unknown.length === 0) return changes;
    this.processes++;
    const r = await this.host.run(sysctlReadManyArgv(unknown));
    const values = r.exitCode === 0 ? parseSysctl(r.stdout) : {};
    return changes.map((c): Change => {
      if (c.kind !== 'sysctl' || c.before !== null) return c;
      const before = values[c.key];
      return before === undefined ? c : { ...c, action: 'update', before };
    });
  }

  /** The changes of a batch that took effect, read back from the host (none when it cannot be read). */
  async holding(kind: BatchKind, batch: readonly Change[]): Promise<Change[]> {
    const holds = await kind.readBack(this.host, batch).catch(() => () => false);
    return batch.filter(holds);
  }

  /** Runs a batch's changes through one process; on failure, reads the host back to see which took effect. */
  async batch(kind: BatchKind, unit: Change[]): Promise<{ applied: Change[]; failed?: ExecuteFailure }> {
    const batch = await this.withBefores(unit);
    const { argv, stdin, parts } = kind.command(batch);
    this.processes++;
    const r = await this.host.run(argv, stdin === undefined ? undefined : { stdin });
    if (r.exitCode === 0 && r.stderr.trim() === '') return { applied: batch };
    this.processes++;
    const holds = await kind.readBack(this.host, batch);
    const applied = batch.filter(holds);
    const failing = batch.find((c) => !holds(c)) ?? batch[0]!;
    const part = parts[batch.indexOf(failing)]?.trimEnd() ?? '';
    return {
      applied,
      failed: { change: failing, error: new CommandError([...argv.slice(0, 3), `(${kind.part}: ${part})`], r), cause: 'step' },
    };
  }
}

/** Changes of some kinds go to the host as one process; none of those processes is transactional. */
interface BatchKind {
  /** Whether a change goes to this kind's process. */
  takes(c: Change): boolean;
  /** The process that carries out these changes, and each change's part of it. */
  command(changes: readonly Change[]): { argv: readonly string[]; stdin?: string; parts: string[] };
  /** What a part is called in the error of a failed batch ("line": a line of its input). */
  part: string;
  /** Reads the host back; the predicate says whether a change of the batch took effect. */
  readBack(runner: Runner, changes: readonly Change[]): Promise<(c: Change) => boolean>;
}

/** A process that reads one line per change on its stdin. */
const linesIn = (argv: readonly string[], parts: string[]) => ({ argv, stdin: parts.join(''), parts });

/** A change's command as a list of none or one. */
const listOf = <T>(command: T | null): T[] => (command === null ? [] : [command]);

const BATCHES: readonly BatchKind[] = [
  {
    // Not ipvsadm-restore: Debian's is a script that clears the whole table (ipvsadm -C) first.
    // ipvsadm -R goes on after a failing line and exits with the last line's status, so any
    // complaint on stderr counts as a failure too.
    takes: (c) => c.kind === 'ipvs-service' || c.kind === 'ipvs-destination',
    command: (changes) =>
      linesIn(
        IPVSADM_RESTORE_ARGV,
        changes.map((c) => restoreText(ipvsRulesOf(c))),
      ),
    part: 'line',
    async readBack(runner) {
      const saved = await runChecked(runner, CAPTURE_COMMANDS.ipvs);
      const table = new Map(parseIpvsadmSave(saved.stdout).map((s) => [serviceKey(s.id), s]));
      return (c) => ipvsChangeHolds(c, table);
    },
  },
  {
    // ip -batch stops at the first failing line; the lines before it took effect.
    takes: (c) => c.kind === 'address',
    command: (changes) =>
      linesIn(
        IP_BATCH_ARGV,
        changes.map((c) => batchText(listOf(addressCommandOf(c)))),
      ),
    part: 'line',
    async readBack(runner) {
      const shown = new Set(parseIpAddr((await runChecked(runner, CAPTURE_COMMANDS.addr)).stdout).map(addressKey));
      return (c) => shown.has(c.key) === (c.action !== 'delete');
    },
  },
  {
    // sysctl -w goes on past a setting it cannot make and exits non-zero; each setting is read back.
    takes: (c) => c.kind === 'sysctl' && c.after !== null,
    command: (changes) => {
      const entries = changes.flatMap((c): [string, string][] => (c.kind === 'sysctl' && c.after !== null ? [[c.key, c.after]] : []));
      return { argv: sysctlWriteManyArgv(entries), parts: entries.map(([key, value]) => `${key}=${value}`) };
    },
    part: 'setting',
    async readBack(runner, changes) {
      const values = parseSysctl((await runChecked(runner, sysctlReadManyArgv(changes.map((c) => c.key)))).stdout);
      return (c) => c.kind === 'sysctl' && c.after !== null && values[c.key] === sysctlValue(c.after);
    },
  },
];

const batchOf = (c: Change) => BATCHES.find((b) => b.takes(c));

/** Splits changes into units: each run of consecutive changes of one batch kind is one unit. */
function units(changes: readonly Change[]): Change[][] {
  const out: Change[][] = [];
  for (const c of changes) {
    const last = out.at(-1);
    const kind = batchOf(c);
    if (last && kind && batchOf(last[0]!) === kind) last.push(c);
    else out.push([c]);
  }
  return out;
}

/** Executes changes in order; on the first failure (or an interruption), undoes every applied change in reverse. */
export async function executeChanges(changes: readonly Change[], host: Host, hooks: ExecuteHooks = {}): Promise<ExecuteResult> {
  const ex = new Executor(host);
  const applied: Change[] = [];
  let failure: ExecuteFailure | undefined;
  for (const unit of units(changes)) {
    if (hooks.interrupted?.()) {
      failure = { change: unit[0]!, error: new Error('interrupted by a signal before this change'), cause: 'interrupted' };
      break;
    }
    try {
      await hooks.beforeUnit?.(unit);
    } catch (error) {
      failure = { change: unit[0]!, error: error as Error, cause: 'step' };
      break;
    }
    const kind = batchOf(unit[0]!);
    if (kind) {
      const r = await ex.batch(kind, unit).catch(async (error: Error) => ({
        applied: await ex.holding(kind, unit),
        failed: { change: unit[0]!, error, cause: 'step' as const },
      }));
      applied.push(...r.applied);
      if (r.failed) {
        failure = r.failed;
        break;
      }
      continue;
    }
    const c = unit[0]!;
    try {
      await ex.change(c);
      applied.push(c);
    } catch (error) {
      failure = { change: c, error: error as Error, cause: 'step' };
      break;
    }
  }
  if (!failure) return { applied, processes: ex.processes, rolledBack: [], notUndone: [] };
  const { rolledBack, notUndone } = await rollback(ex, applied);
  return { applied, processes: ex.processes, failure, rolledBack, notUndone };
}

/** Undoes applied changes in reverse order, then re-runs the reloads so daemons read the restored files. */
async function rollback(ex: Executor, applied: Change[]): Promise<{ rolledBack: Change[]; notUndone: string[] }> {
  const rolledBack: Change[] = [];
  const notUndone: string[] = [];
  for (const c of [...applied].reverse()) {
    const inverse = inverseOf(c);
    if (!inverse) {
      if (c.kind !== 'reload')
        notUndone.push(`${c.kind} ${c.key}: ${c.kind === 'module' ? 'modules are left loaded' : 'its previous value was not observed'}`);
      continue;
    }
    try {
      await ex.change(inverse, true);
      rolledBack.push(c);
    } catch (error) {
      notUndone.push(`${c.kind} ${c.key}: ${(error as Error).message}`);
    }
  }
  for (const c of applied.filter((x) => x.kind === 'reload')) {
    try {
      await ex.change(c);
    } catch (error) {
      notUndone.push(`reload ${c.key}: ${(error as Error).message}`);
    }
  }
  return { rolledBack, notUndone };
}
