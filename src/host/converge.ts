// Converging one host with its ledger: plan against what lbctl owns, apply until converged (a drain's second step
// follows at once; with `wait`, until drains end), and keep the ledger true at every moment: intent is recorded
// before each unit runs (a write-ahead), the outcome after, so a crash never leaves an object lbctl made unowned.
import type { HostIdentity } from '../desired/identity.js';
import type { HostState } from '../model/state.js';
import { ownedKey, type DrainPolicy } from '../plan/diff.js';
import type { Change, Drain, HostPlan } from '../plan/types.js';
import type { ExecuteFailure } from './execute.js';
import {
  claimChanges,
  readLedger,
  recordChanges,
  recordDrains,
  recordSysctlOrigins,
  writeLedger,
  type HostRecord,
  type Ledger,
} from './ledger.js';
import { drainPolicy, ownedFiles, withRestoredSysctls } from './ledger-view.js';
import { applyPlan, planLive, type LiveContext } from './live-plan.js';
import type { Host, HostFacts } from './port.js';

/** How a convergence ended. */
export type Outcome =
  | {
      kind: 'converged';
      /** The changes that took effect, in the order they ran (a drained real server's deletion after its weight 0). */
      applied: Change[];
      processes: number;
      draining: Drain[];
      ledgerError?: string;
    }
  | ({ kind: 'failed'; rolledBack: number; notUndone: string[] } & ExecuteFailure)
  | { kind: 'drift'; remaining: HostPlan };

/** One host's convergence, bound to the ledger on that host. */
export class Convergence {
  private record: HostRecord;
  /** What the ledger says lbctl owns while a plan runs: the owned set plus the creations claimed so far. */
  private claimed: Set<string>;
  private readonly drain: DrainPolicy;
  private readonly target: HostState;

  private constructor(
    private readonly desired: HostState,
    private readonly host: Host,
    private readonly ledger: Ledger,
    private owned: Set<string>,
    private readonly drainTimeoutMs: number,
    private readonly identity: HostIdentity | undefined,
  ) {
    this.record = ledger.hosts[desired.host] ?? { owned: [] };
    this.claimed = owned;
    this.target = withRestoredSysctls(desired, this.record);
    this.drain = drainPolicy(() => this.record, drainTimeoutMs);
  }

  /** Reads the host's ledger for the desired state's host; every probe checks the machine is `identity`. */
  static async open(desired: HostState, host: Host, drainTimeoutSec: number, identity?: HostIdentity): Promise<Convergence> {
    return Convergence.withLedger(desired, host, await readLedger(host), drainTimeoutSec, identity);
  }

  /** As open, with the host's ledger already read (with other reads, in one round trip). */
  static withLedger(desired: HostState, host: Host, ledger: Ledger, drainTimeoutSec: number, identity?: HostIdentity): Convergence {
    return new Convergence(desired, host, ledger, new Set(ledger.hosts[desired.host]?.owned ?? []), drainTimeoutSec * 1000, identity);
  }

  private context(facts?: HostFacts): LiveContext {
    return {
      owned: this.owned,
      drain: this.drain,
      ownedFiles: ownedFiles(this.owned),
      ...(this.identity ? { identity: this.identity } : {}),
      ...(facts ? { facts } : {}),
    };
  }

  /**
   * Probes and plans; with `pruneForeign`, unmanaged objects are treated as lbctl's and removed too. `facts`: read
   * a moment ago (with the ledger), so the probe does not ask again.
   */
  async plan(pruneForeign = false, facts?: HostFacts): Promise<HostPlan> {
    const plan = await planLive(this.target, this.host, this.context(facts));
    if (!pruneForeign || plan.unmanaged.length === 0) return plan;
    this.owned = new Set([...this.owned, ...plan.unmanaged.map((u) => ownedKey(u.kind, u.key))]);
    this.claimed = this.owned;
    return planLive(this.target, this.host, this.context(facts));
  }

  /** Writes this host's record into the ledger. */
  private async save(record: HostRecord): Promise<void> {
    this.record = record;
    this.ledger.hosts = { ...this.ledger.hosts, [this.desired.host]: record };
    await writeLedger(this.host, this.ledger);
  }

  /** Before a unit runs: claims what it creates and notes the sysctl values it replaces, when that is news. */
  private async claim(unit: readonly Change[]): Promise<void> {
    const claimed = claimChanges(this.claimed, unit);
    const sysctls = recordSysctlOrigins(this.record.sysctls ?? {}, unit);
    const news = claimed.size !== this.claimed.size || Object.keys(sysctls).length !== Object.keys(this.record.sysctls ?? {}).length;
    this.claimed = claimed;
    if (news) await this.save({ ...this.record, owned: [...claimed].sort(), sysctls });
  }

  /** After an execution: what lbctl owns now, given what took effect and was not rolled back. */
  private async settle(applied: readonly Change[], rolledBack: readonly Change[]): Promise<void> {
    const undone = new Set(rolledBack);
    const effective = applied.filter((c) => !undone.has(c));
    this.owned = recordChanges(this.owned, effective);
    this.claimed = this.owned;
    const draining = recordDrains(this.record.draining ?? {}, effective, new Date());
    const sysctls = recordSysctlOrigins(this.record.sysctls ?? {}, effective);
    await this.save({ owned: [...this.owned].sort(), draining, sysctls });
  }

  /** Once converged: the sysctls restored to their old values are no longer lbctl's to remember. */
  private async forgetRestored(): Promise<void> {
    const kept = Object.fromEntries(Object.entries(this.record.sysctls ?? {}).filter(([key]) => key in this.desired.sysctls));
    if (Object.keys(kept).length !== Object.keys(this.record.sysctls ?? {}).length) await this.save({ ...this.record, sysctls: kept });
  }

  /**
   * Applies the plan and what must follow it; `interrupted` stops it between units (what ran is rolled back).
   * `later` marks changes left for a later step of a rollout: they are not applied, and not drift.
   */
  async converge(
    first: HostPlan,
    wait: boolean,
    interrupted?: () => boolean,
    later: (c: Change) => boolean = () => false,
  ): Promise<Outcome> {
    const started = Date.now();
    let plan = first;
    const applied: Change[] = [];
    let processes = 0;
    for (;;) {
      const hooks = { beforeUnit: (unit: readonly Change[]) => this.claim(unit), ...(interrupted ? { interrupted } : {}) };
      const report = await applyPlan(this.target, plan, this.host, this.context(), hooks);
      const { execution } = report;
      if (execution.failure) {
        const notUndone = [...execution.notUndone];
        // A full disk may refuse the ledger now too; the claims written before each unit still cover the host.
        await this.settle(execution.applied, execution.rolledBack).catch((err: Error) =>
          notUndone.push(`the ledger was not updated: ${err.message}`),
        );
        return { kind: 'failed', ...execution.failure, rolledBack: execution.rolledBack.length, notUndone };
      }
      // The host changed as planned; a ledger that cannot be written now (a full disk) is reported, and what
      // lbctl created is still owned: it was claimed before each unit ran.
      const ledgerError = await this.settle(execution.applied, execution.rolledBack).then(
        () => undefined,
        (err: Error) => err.message,
      );
      if (ledgerError !== undefined)
        return { kind: 'converged', applied: [...applied, ...execution.applied], processes, draining: [], ledgerError };
      applied.push(...execution.applied);
      processes += execution.processes;
      const remaining = { ...report.remaining!, changes: report.remaining!.changes.filter((c) => !later(c)) };
      const drainEnds =
        remaining.changes.length > 0 && remaining.changes.every((c) => c.kind === 'ipvs-destination' && c.action === 'delete');
      if (remaining.changes.length > 0 && !drainEnds) return { kind: 'drift', remaining };
      if (drainEnds) {
        plan = remaining;
        continue;
      }
      const draining = remaining.draining ?? [];
      if (wait && draining.length > 0 && Date.now() - started < this.drainTimeoutMs && !interrupted?.()) {
        await new Promise((r) => setTimeout(r, 1000));
        const next = await planLive(this.target, this.host, this.context());
        plan = { ...next, changes: next.changes.filter((c) => !later(c)) };
        continue;
      }
      await this.forgetRestored();
      return { kind: 'converged', applied, processes, draining };
    }
  }
}
