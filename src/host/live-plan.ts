// One round on a live host: probe and plan, or execute a plan and probe again to verify.
import type { HostIdentity } from '../desired/identity.js';
import type { HostState } from '../model/state.js';
import type { DrainPolicy, Owned } from '../plan/diff.js';
import { planHost } from '../plan/plan.js';
import type { HostPlan } from '../plan/types.js';
import { executeChanges, type ExecuteHooks, type ExecuteResult } from './execute.js';
import { recordChanges } from './ledger.js';
import type { Host, HostFacts } from './port.js';
import { probeHost } from './probe.js';

/** The outcome of executing a plan on one host. */
export interface ApplyReport {
  plan: HostPlan;
  execution: ExecuteResult;
  /** The plan computed from a fresh probe after a successful execution: empty when converged. */
  remaining: HostPlan | null;
}

/** What a live plan reads besides the desired state: what lbctl owns there, how drains end, owned files to probe. */
export interface LiveContext {
  owned: Owned;
  drain?: DrainPolicy;
  /** Files lbctl owns that are no longer desired: probed so that the plan removes them. */
  ownedFiles?: readonly string[];
  /** Who the host must be: checked on the probe before any plan is made from it. */
  identity?: HostIdentity;
  /** The host's facts, read a moment ago with its ledger: the probe does not ask again (never after changes). */
  facts?: HostFacts;
}

/** The machine probed is not the topology host it was reached as: no plan is made from it. */
export class NotThatHost extends Error {}

/** Throws NotThatHost unless the probed machine has the host's addresses (or, without any, its name). */
function checkIdentity(identity: HostIdentity, observed: HostState, hostname: string, label: string): void {
  const have = new Set(observed.addresses.map((a) => a.cidr.split('/')[0]));
  const missing = identity.addresses.filter((a) => !have.has(a.address));
  const named = hostname === identity.name || hostname.startsWith(`${identity.name}.`);
  if (identity.addresses.length > 0 ? missing.length === 0 : named) return;
  const expected =
    identity.addresses.length > 0
      ? identity.addresses.map((a) => `${a.address} (${a.device})`).join(', ')
      : `the hostname ${identity.name}`;
  const seen = [...have].filter((a) => a !== '127.0.0.1' && a !== '::1').join(', ') || 'none';
  throw new NotThatHost(
    `${label} is not host ${identity.name} of the topology: the topology gives it ${expected}; the machine has hostname ${hostname} and addresses ${seen}. ` +
      'Check the inventory (or run lbctl on the right machine); nothing was planned or changed',
  );
}

/** Probes the host and plans the changes that would converge it. */
export async function planLive(desired: HostState, host: Host, context: LiveContext): Promise<HostPlan> {
  const observed = await probeHost(host, desired, context.ownedFiles, context.facts);
  if (context.identity) checkIdentity(context.identity, observed.state, observed.facts.hostname, host.label);
  return planHost(desired, observed.state, context.owned, observed.warnings, context.drain);
}

/** Executes a plan, then probes again to prove convergence (skipped when execution failed). */
export async function applyPlan(
  desired: HostState,
  plan: HostPlan,
  host: Host,
  context: LiveContext,
  hooks?: ExecuteHooks,
): Promise<ApplyReport> {
  const execution = await executeChanges(plan.changes, host, hooks);
  if (execution.failure) return { plan, execution, remaining: null };
  const remaining = await planLive(desired, host, { ...context, owned: recordChanges(context.owned, execution.applied) });
  return { plan, execution, remaining };
}
