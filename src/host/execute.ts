// Carries out a plan's changes on a host, batching IPVS changes into one `ipvsadm -R` and
// addresses into one `ip -batch`,
// and undoes what it did, in reverse, when a step fails.
import { addressKey, destinationKey, serviceKey } from '../model/keys.js';
import { batchText, IP_BATCH_ARGV } from '../drivers/iproute/argv.js';
import { parseIpAddr } from '../drivers/iproute/parse.js';
import { destinationAttrsEqual, serviceAttrsEqual } from '../drivers/ipvs/equal.js';
import { parseIpvsadmSave } from '../drivers/ipvs/parse-save.js';
import { IPVSADM_RESTORE_ARGV, restoreText } from '../drivers/ipvs/rules.js';
import { sysctlReadArgv } from '../drivers/sysctl/argv.js';
import type { IpvsService, ManagedFile } from '../model/state.js';
import { CAPTURE_COMMANDS } from '../observed/captures.js';
import { addressCommandOf, ipvsRuleOf, stepsFor, type Step } from '../plan/steps.js';
import type { Change } from '../plan/types.js';
import type { HostFiles } from './files.js';
import { CommandError, runChecked, type Runner } from './runner.js';

/** Everything the executor may touch. */
export interface HostAccess {
  runner: Runner;
  files: HostFiles;
  /** Checks a file's new content before it is written; returns the checker's complaint, or null. */
  check?: (file: ManagedFile) => Promise<string | null>;
}

/** What happened: the changes done, the one that failed, and what rollback did. */
export interface ExecuteResult {
  applied: Change[];
  /** Number of processes started (`ipvsadm -R` counts once per batch). */
  processes: number;
  failure?: { change: Change; error: Error };
  rolledBack: Change[];
  /** Changes that could not be undone, with why (e.g. a sysctl whose old value was never seen). */
  notUndone: string[];
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
  constructor(private readonly host: HostAccess) {}

  async step(step: Step): Promise<void> {
    if (step.op === 'write') {
      const problem = step.file.check && this.host.check ? await this.host.check(step.file) : null;
      if (problem !== null) throw new Error(`${step.file.path}: FRR's parser rejects the new content, the old file is kept:\n${problem}`);
      return this.host.files.write(step.file);
    }
    if (step.op === 'remove') return this.host.files.remove(step.path);
    this.processes++;
    await runChecked(this.host.runner, step.argv, step.stdin === undefined ? undefined : { stdin: step.stdin });
  }

  /** Carries out a change; returns it with `before` filled in where only now it could be read. */
  async change(c: Change): Promise<Change> {
    const known = await this.withBefore(c);
    for (const s of stepsFor(known)) await this.step(s);
    return known;
  }

  /**
   * A sysctl that did not exist when the host was probed (its module was loaded by this very
   * apply) has its value read just before it is set, so a rollback can restore it.
   */
  private async withBefore(c: Change): Promise<Change> {
    if (c.kind !== 'sysctl' || c.before !== null) return c;
    this.processes++;
    const r = await this.host.runner.run(sysctlReadArgv(c.key));
    return r.exitCode === 0 ? { ...c, action: 'update', before: r.stdout.trim() } : c;
  }

  /** Runs a batch's changes through one process; on failure, reads the host back to see which took effect. */
  async batch(kind: BatchKind, batch: Change[]): Promise<{ applied: Change[]; failed?: { change: Change; error: Error } }> {
    const lines = batch.map((c) => kind.line(c));
    this.processes++;
    const r = await this.host.runner.run(kind.argv, { stdin: lines.join('') });
    if (r.exitCode === 0 && r.stderr.trim() === '') return { applied: batch };
    this.processes++;
    const holds = await kind.readBack(this.host.runner);
    const applied = batch.filter(holds);
    const failing = batch.find((c) => !holds(c)) ?? batch[0]!;
    const line = lines[batch.indexOf(failing)]?.trimEnd() ?? '';
    return { applied, failed: { change: failing, error: new CommandError([...kind.argv, `(line: ${line})`], r) } };
  }
}

/** Changes of some kinds go to the host as one process; none of those processes is transactional. */
interface BatchKind {
  kinds: ReadonlySet<Change['kind']>;
  argv: readonly string[];
  /** The change as one line of the process's input, newline included (written by the tool's driver). */
  line(c: Change): string;
  /** Reads the host back; the predicate says whether a change of the batch took effect. */
  readBack(runner: Runner): Promise<(c: Change) => boolean>;
}

/** A change's command as a list of none or one. */
const listOf = <T>(command: T | null): T[] => (command === null ? [] : [command]);

const BATCHES: readonly BatchKind[] = [
  {
    // Not ipvsadm-restore: Debian's is a script that clears the whole table (ipvsadm -C) first.
    // ipvsadm -R goes on after a failing line and exits with the last line's status, so any
    // complaint on stderr counts as a failure too.
    kinds: new Set(['ipvs-service', 'ipvs-destination']),
    argv: IPVSADM_RESTORE_ARGV,
    line: (c) => restoreText(listOf(ipvsRuleOf(c))),
    async readBack(runner) {
      const saved = await runChecked(runner, CAPTURE_COMMANDS.ipvs);
      const table = new Map(parseIpvsadmSave(saved.stdout).map((s) => [serviceKey(s.id), s]));
      return (c) => ipvsChangeHolds(c, table);
    },
  },
  {
    // ip -batch stops at the first failing line; the lines before it took effect.
    kinds: new Set(['address']),
    argv: IP_BATCH_ARGV,
    line: (c) => batchText(listOf(addressCommandOf(c))),
    async readBack(runner) {
      const shown = new Set(parseIpAddr((await runChecked(runner, CAPTURE_COMMANDS.addr)).stdout).map(addressKey));
      return (c) => shown.has(c.key) === (c.action !== 'delete');
    },
  },
];

const batchOf = (c: Change) => BATCHES.find((b) => b.kinds.has(c.kind));

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

/** Executes changes in order; on the first failure, undoes every applied change in reverse. */
export async function executeChanges(changes: readonly Change[], host: HostAccess): Promise<ExecuteResult> {
  const ex = new Executor(host);
  const applied: Change[] = [];
  let failure: ExecuteResult['failure'];
  for (const unit of units(changes)) {
    const kind = batchOf(unit[0]!);
    if (kind) {
      const r = await ex.batch(kind, unit);
      applied.push(...r.applied);
      if (r.failed) { failure = r.failed; break; }
      continue;
    }
    const c = unit[0]!;
    try {
      applied.push(await ex.change(c));
    } catch (error) {
      failure = { change: c, error: error as Error };
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
      if (c.kind !== 'reload') notUndone.push(`${c.kind} ${c.key}: ${c.kind === 'module' ? 'modules are left loaded' : 'its previous value was not observed'}`);
      continue;
    }
    try {
      await ex.change(inverse);
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
