// One host's apply: probe, plan, execute (rolling back on failure), probe again and verify.
import type { HostState } from '../model/state.js';
import type { DrainPolicy, Owned } from '../plan/diff.js';
import { recordChanges } from './ledger.js';
import { planHost } from '../plan/plan.js';
import type { HostPlan } from '../plan/types.js';
import { executeChanges, type ExecuteResult, type HostAccess } from './execute.js';
import { probeHost } from './probe.js';

/** The outcome of applying a topology to one host. */
export interface ApplyReport {
  plan: HostPlan;
  execution: ExecuteResult;
  /** The plan computed from a fresh probe after a successful execution: empty when converged. */
  remaining: HostPlan | null;
}

/** Probes the host and plans the changes that would converge it. */
export async function planLive(desired: HostState, host: HostAccess, owned: Owned, drain?: DrainPolicy): Promise<HostPlan> {
  const observed = await probeHost(host.runner, host.files, desired);
  return planHost(desired, observed.state, owned, observed.warnings, drain);
}

/** Executes a plan, then probes again to prove convergence (skipped when execution failed). */
export async function applyPlan(desired: HostState, plan: HostPlan, host: HostAccess, owned: Owned, drain?: DrainPolicy): Promise<ApplyReport> {
  const execution = await executeChanges(plan.changes, host);
  if (execution.failure) return { plan, execution, remaining: null };
  const remaining = await planLive(desired, host, recordChanges(owned, execution.applied), drain);
  return { plan, execution, remaining };
}

/** True when the only changes left are the deletions of real servers still draining. */
export function onlyDraining(plan: HostPlan): boolean {
  return plan.changes.length === 0 && plan.warnings.some((w) => w.startsWith('draining '));
}
