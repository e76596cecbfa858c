// Converging one host with its ledger: plan against what lbctl owns, apply until converged
// (a drain's second step follows at once; with `wait`, until drains end), record ownership.
import type { HostState } from '../model/state.js';
import { ownedKey, type DrainPolicy } from '../plan/diff.js';
import type { Change, HostPlan } from '../plan/types.js';
import { applyPlan, onlyDraining, planLive } from './apply.js';
import type { HostAccess } from './execute.js';
import { readLedger, recordChanges, recordDrains, writeLedger, type Ledger } from './ledger.js';

/** How a convergence ended. */
export type Outcome =
  | { kind: 'converged'; applied: number; processes: number; draining: string[] }
  | { kind: 'failed'; change: Change; error: Error; rolledBack: number; notUndone: string[] }
  | { kind: 'drift'; remaining: HostPlan };

/** One host's convergence, bound to its ledger below `root`. */
export class Convergence {
  private draining: Record<string, string>;
  private readonly drain: DrainPolicy;

  private constructor(
    private readonly desired: HostState,
    private readonly host: HostAccess,
    private readonly root: string,
    private readonly ledger: Ledger,
    private owned: Set<string>,
    private readonly drainTimeoutMs: number,
  ) {
    this.draining = ledger.hosts[desired.host]?.draining ?? {};
    this.drain = { drainExpired: (key) => this.draining[key] !== undefined && Date.now() - Date.parse(this.draining[key]!) > drainTimeoutMs };
  }

  /** Reads the ledger for the desired state's host. */
  static async open(desired: HostState, host: HostAccess, root: string, drainTimeoutSec: number): Promise<Convergence> {
    const ledger = await readLedger(root);
    return new Convergence(desired, host, root, ledger, new Set(ledger.hosts[desired.host]?.owned ?? []), drainTimeoutSec * 1000);
  }

  /** Probes and plans; with `pruneForeign`, unmanaged objects are treated as lbctl's and removed too. */
  async plan(pruneForeign = false): Promise<HostPlan> {
    const plan = await planLive(this.desired, this.host, this.owned, this.drain);
    if (!pruneForeign || plan.unmanaged.length === 0) return plan;
    this.owned = new Set([...this.owned, ...plan.unmanaged.map((u) => ownedKey(u.kind, u.key))]);
    return planLive(this.desired, this.host, this.owned, this.drain);
  }

  private async record(applied: readonly Change[]): Promise<void> {
    this.owned = recordChanges(this.owned, applied);
    this.draining = recordDrains(this.draining, applied, new Date());
    const hosts = { ...this.ledger.hosts, [this.desired.host]: { owned: [...this.owned].sort(), draining: this.draining } };
    await writeLedger(this.root, { ...this.ledger, hosts });
  }

  /** Applies the plan and what must follow it, recording every applied change in the ledger. */
  async converge(first: HostPlan, wait: boolean): Promise<Outcome> {
    const started = Date.now();
    let plan = first;
    let applied = 0;
    let processes = 0;
    for (;;) {
      const report = await applyPlan(this.desired, plan, this.host, this.owned, this.drain);
      const { failure } = report.execution;
      if (failure) return { kind: 'failed', change: failure.change, error: failure.error, rolledBack: report.execution.rolledBack.length, notUndone: report.execution.notUndone };
      await this.record(report.execution.applied);
      applied += report.execution.applied.length;
      processes += report.execution.processes;
      const remaining = report.remaining!;
      const drainEnds = remaining.changes.length > 0 && remaining.changes.every((c) => c.kind === 'ipvs-destination' && c.action === 'delete');
      if (remaining.changes.length > 0 && !drainEnds) return { kind: 'drift', remaining };
      if (drainEnds) {
        plan = remaining;
        continue;
      }
      if (wait && onlyDraining(remaining) && Date.now() - started < this.drainTimeoutMs) {
        await new Promise((r) => setTimeout(r, 1000));
        plan = await planLive(this.desired, this.host, this.owned, this.drain);
        continue;
      }
      return { kind: 'converged', applied, processes, draining: remaining.warnings.filter((w) => w.startsWith('draining ')) };
    }
  }
}
