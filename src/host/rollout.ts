// Applying a topology to many hosts in an order that drops no connection: routers first; real servers get what new
// service needs (VIP on lo, ARP settings, tunl0) before any director sends them traffic; directors then add, change
// and drain (waiting until the drained real servers have no connections, or the drain times out); only then do real
// servers lose what they no longer serve, and the remaining hosts converge. Hosts of one step run in parallel,
// bounded; a canary goes alone first; the first failure stops the rollout (the failing host rolls itself back,
// finished hosts stay), and running the same rollout again continues where it stopped.
import type { HostIdentity } from '../desired/identity.js';
import type { HostRoles } from '../desired/roles.js';
import type { HostState } from '../model/state.js';
import type { Change } from '../plan/types.js';
import { applyHost, type ApplyResult } from './apply.js';
import { eachBounded } from './pool.js';
import type { Host } from './port.js';

/** The steps of a rollout, in order. */
export const STEPS = ['routers', 'prepare', 'directors', 'finish'] as const;

/** One step of a rollout. */
export type Step = (typeof STEPS)[number];

/** A host to roll out: how to reach it, what it must become, and who it must be. */
export interface RolloutHost {
  name: string;
  host: Host;
  desired: HostState;
  identity: HostIdentity;
  roles: HostRoles;
}

/** How to roll out. */
export interface RolloutOptions {
  /** Hosts applied at once within a step. */
  parallel: number;
  /** A host applied alone before the others of its step; a failure there stops everything. */
  canary?: string;
  drainTimeoutSec: number;
  /** Refuse hosts where lbctl is not root (live hosts). */
  requireRoot: boolean;
  /** Hears every step of every host as it happens. */
  onEvent?: (e: RolloutEvent) => void;
  /** True once the operator asked to stop. */
  interrupted?: () => boolean;
}

/** One thing that happened to one host, with when. */
export interface RolloutEvent {
  at: Date;
  host: string;
  step: Step;
  state: 'start' | 'done' | 'failed';
  /** For done: what changed; for failed: why. */
  detail: string;
  /** For done: the changes the step applied, in the order they ran. */
  applied?: readonly Change[];
}

/** Where a host stands when the rollout ends. */
export type HostStanding =
  | { host: string; state: 'converged' | 'unchanged'; changes: number }
  | { host: string; state: 'prepared'; changes: number }
  | { host: string; state: 'failed'; step: Step; reason: string; result?: ApplyResult }
  | { host: string; state: 'not-started' };

/** The rollout's outcome: every host's standing, in rollout order. */
export interface RolloutReport {
  ok: boolean;
  hosts: HostStanding[];
}

/** The steps a host takes part in. */
function stepsOf(r: HostRoles): Step[] {
  if (r.director) return ['directors'];
  if (r.realServer) return ['prepare', 'finish'];
  if (r.router) return ['routers'];
  return ['finish'];
}

/** What a real server loses: deletions, and sysctls put back to their old values (what its VIPs needed). */
const isRemoval = (c: Change) => c.action === 'delete' || c.restore === true;

/** Applies one step of one host; a thrown refusal (unreachable, not that host, locked, ...) is a failure too. */
async function applyStep(
  h: RolloutHost,
  step: Step,
  options: RolloutOptions,
): Promise<{ ok: true; applied: Change[] } | { ok: false; reason: string; result?: ApplyResult }> {
  try {
    const result = await applyHost(h.host, h.desired, {
      requireRoot: options.requireRoot,
      reload: true,
      drainTimeoutSec: options.drainTimeoutSec,
      what: `rollout (${step}) of host ${h.name}`,
      identity: h.identity,
      wait: step === 'directors',
      ...(step === 'prepare' ? { later: isRemoval } : {}),
      ...(options.interrupted ? { interrupted: options.interrupted } : {}),
    });
    if (result.kind === 'failed')
      return { ok: false, reason: `${result.error.message}; rolled back ${result.rolledBack} change(s)`, result };
    if (result.kind === 'drift')
      return { ok: false, reason: `applied, but probing again still finds ${result.remaining.changes.length} difference(s)`, result };
    if (result.kind === 'converged' && result.ledgerError !== undefined)
      return { ok: false, reason: `the ledger was not updated: ${result.ledgerError}`, result };
    return { ok: true, applied: result.kind === 'converged' ? result.applied : [] };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Rolls the topology out to `hosts` (in the order given within each step). */
export async function rollout(hosts: readonly RolloutHost[], options: RolloutOptions): Promise<RolloutReport> {
  const standing = new Map<string, HostStanding>(hosts.map((h) => [h.name, { host: h.name, state: 'not-started' }]));
  const changes = new Map<string, number>();
  let failed = false;
  const stop = () => failed || options.interrupted?.() === true;
  const emit = (host: string, step: Step, state: RolloutEvent['state'], detail = '', applied?: Change[]) =>
    options.onEvent?.({ at: new Date(), host, step, state, detail, ...(applied ? { applied } : {}) });

  const run = async (h: RolloutHost, step: Step) => {
    emit(h.name, step, 'start');
    const r = await applyStep(h, step, options);
    if (!r.ok) {
      failed = true;
      standing.set(h.name, { host: h.name, state: 'failed', step, reason: r.reason, ...(r.result ? { result: r.result } : {}) });
      emit(h.name, step, 'failed', r.reason);
      return;
    }
    const total = (changes.get(h.name) ?? 0) + r.applied.length;
    changes.set(h.name, total);
    const last = stepsOf(h.roles).at(-1) === step;
    standing.set(
      h.name,
      last
        ? { host: h.name, state: total > 0 ? 'converged' : 'unchanged', changes: total }
        : { host: h.name, state: 'prepared', changes: total },
    );
    emit(h.name, step, 'done', `${r.applied.length} change(s)`, r.applied);
  };

  for (const step of STEPS) {
    if (stop()) break;
    const members = hosts.filter((h) => stepsOf(h.roles).includes(step));
    const canary = members.find((h) => h.name === options.canary);
    if (canary) await run(canary, step);
    await eachBounded(
      members.filter((h) => h !== canary),
      options.parallel,
      (h) => run(h, step),
      stop,
    );
  }
  const report = hosts.map((h) => standing.get(h.name)!);
  return { ok: report.every((s) => s.state === 'converged' || s.state === 'unchanged'), hosts: report };
}
