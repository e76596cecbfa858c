// Where `lbctl plan` takes the current state from by default: the live hosts, probed read-only (this machine, or over
// SSH). Loaded only by live plans.
import { agentAmendment } from '../../agent/overrides.js';
import { inspectHost } from '../../host/apply.js';
import { mapBounded } from '../../host/pool.js';
import { hostFor } from '../../host/reach.js';
import { identityOf } from '../../desired/identity.js';
import { rolesOf } from '../../desired/roles.js';
import type { HostState } from '../../model/state.js';
import { makePlan } from '../../plan/plan.js';
import type { PlanFileHost } from '../../plan/plan-file.js';
import type { HostPlan, Plan } from '../../plan/types.js';
import type { Topology } from '../../topology/types.js';
import { reachOf, requireInventory } from '../inventory.js';
import type { Io } from '../io.js';
import { refusal } from '../refusals.js';

/** A computed plan, with what `--out` saves for the live hosts of a live plan. */
export interface Planned {
  plan: Plan;
  saved?: Omit<PlanFileHost, 'fingerprint'>[];
}

/** Probes the live hosts read-only (`parallel` at once) and plans each; the first refusal ends the command. */
export async function planLive(
  topology: Topology,
  desired: Map<string, HostState>,
  names: string[],
  opts: { inventory?: string; parallel: number },
  io: Io,
): Promise<Planned> {
  const inventory = opts.inventory === undefined ? undefined : await requireInventory(opts.inventory, [...desired.keys()], io.err);
  const reach = reachOf(names, inventory);
  const roles = rolesOf(topology);
  const results = await mapBounded(names, opts.parallel, async (name) => {
    const host = hostFor(name, reach.get(name)!);
    return inspectHost(host, desired.get(name)!, identityOf(topology, name), agentAmendment(topology, name));
  });
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw refusal(failed.reason) ?? failed.reason;
  const plans = results.map((r) => (r as PromiseFulfilledResult<HostPlan>).value);
  const saved = names.map((name, i) => ({
    plan: plans[i]!,
    reach: reach.get(name)!,
    identity: identityOf(topology, name),
    roles: roles.get(name)!,
    desired: desired.get(name)!,
  }));
  return { plan: makePlan(plans), saved };
}
