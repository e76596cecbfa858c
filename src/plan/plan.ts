// Computes a host's plan: diff the desired state against the observed one, then order the changes.
import type { HostState } from '../model/state.js';
import { diffHost, type DrainPolicy, type Owned } from './diff.js';
import { orderChanges } from './order.js';
import { serviceKey } from '../model/keys.js';
import { PLAN_VERSION, type Change, type Drain, type HostPlan, type Plan } from './types.js';

/** A drain said as a sentence (the plan's warnings, apply's report). */
export function drainNote(d: Drain): string {
  return d.phase === 'weight-0'
    ? `draining ${d.key}: weight 0 now; deleted by a later apply once its connections end (or the drain times out)`
    : `draining ${d.key}: ${d.activeConns} active connection(s) left`;
}

/**
 * The order promise of ECMP services on mh whose destinations this plan adds: Maglev builds its table by walking
 * the destinations in the order they were added, so every director must add them in the same one. (Validation
 * already warns about an ECMP service on another scheduler, for which no order helps.)
 */
function ecmpOrderNotes(desired: HostState, changes: readonly Change[]): string[] {
  const maglev = new Set(desired.ipvs.filter((s) => s.scheduler === 'mh').map((s) => serviceKey(s.id)));
  return (desired.ecmpServices ?? [])
    .filter((key) => maglev.has(key))
    .filter((key) =>
      changes.some(
        (c) => c.kind === 'ipvs-destination' && c.action === 'create' && c.after !== null && serviceKey(c.after.service) === key,
      ),
    )
    .map(
      (key) =>
        `ECMP service ${key}: real servers are added in address order, the same order on every director and in the boot-time rules file, so mh maps each flow to the same real server whichever director receives it`,
    );
}

/** The plan that converges `observed` to `desired`; `owned` lists objects lbctl may delete. */
export function planHost(
  desired: HostState,
  observed: HostState,
  owned: Owned = new Set(),
  warnings: string[] = [],
  drain?: DrainPolicy,
): HostPlan {
  const { changes, unmanaged, draining } = diffHost(desired, observed, owned, drain);
  const plan: HostPlan = {
    host: desired.host,
    changes: orderChanges(changes),
    unmanaged,
    warnings: [...warnings, ...ecmpOrderNotes(desired, changes), ...draining.map(drainNote)],
  };
  if (draining.length > 0) plan.draining = draining;
  return plan;
}

/** Bundles host plans into the versioned plan value. */
export function makePlan(hosts: HostPlan[]): Plan {
  return { version: PLAN_VERSION, hosts };
}
