// Computes a host's plan: diff the desired state against the observed one, then order the changes.
import type { HostState } from '../model/state.js';
import { diffHost, type DrainPolicy, type Owned } from './diff.js';
import { orderChanges } from './order.js';
import { PLAN_VERSION, type HostPlan, type Plan } from './types.js';

/** The plan that converges `observed` to `desired`; `owned` lists objects lbctl may delete. */
export function planHost(desired: HostState, observed: HostState, owned: Owned = new Set(), warnings: string[] = [], drain?: DrainPolicy): HostPlan {
  const { changes, unmanaged, notes } = diffHost(desired, observed, owned, drain);
  return { host: desired.host, changes: orderChanges(changes), unmanaged, warnings: [...warnings, ...notes] };
}

/** Bundles host plans into the versioned plan value. */
export function makePlan(hosts: HostPlan[]): Plan {
  return { version: PLAN_VERSION, hosts };
}
