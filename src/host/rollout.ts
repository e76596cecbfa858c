// Applying a topology to many hosts in an order that drops no connection: routers first; real servers get what new
// service needs (VIP on lo, ARP settings, tunl0) before any director sends them traffic; directors then add, change
// and drain (waiting until the drained real servers have no connections, or the drain times out); only then do real
// servers lose what they no longer serve, and the remaining hosts converge. A director first proves each real server
// it starts sending to ready, when it can (a DR/TUN server with a TCP check through the VIP path): it adds the server
// at weight 0 with its VIP path, connects through that path until the check's `rise` pass, and only then gives it its
// weight and takes traffic from the servers leaving. Hosts of one step run in parallel,
// bounded; a canary goes alone first; the first failure stops the rollout (the failing host rolls itself back,
// finished hosts stay), and running the same rollout again continues where it stopped.
import type { HostIdentity } from '../desired/identity.js';
import type { HostRoles } from '../desired/roles.js';
import { destinationChangeKey, destinationKey, serviceKey } from '../model/keys.js';
import type { HostState, ReadinessProbe } from '../model/state.js';
import type { Change } from '../plan/types.js';
import { applyHost, inspectHost, type ApplyResult } from './apply.js';
import { eachBounded } from './pool.js';
import type { Host } from './port.js';
import { WALL_CLOCK, type PollClock } from './poll-clock.js';
import { probesToRun, proveReady, type Readiness } from './readiness.js';

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
  /** Seconds a director tries to prove a new real server ready before the rollout stops there. */
  readyTimeoutSec: number;
  /** Stands in for the wall clock while proving readiness (tests). */
  clock?: PollClock;
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
  /** `ready`: a director proved the real servers it starts sending to (having added them at weight 0). */
  state: 'start' | 'ready' | 'done' | 'failed';
  /** For done: what changed; for ready: who was proved; for failed: why. */
  detail: string;
  /** For ready and done: the changes applied since the last event, in the order they ran. */
  applied?: readonly Change[];
  /** For ready: each real server's proof. */
  readiness?: readonly Readiness[];
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

/** How one step of one host ended. */
type StepOutcome = { ok: true; applied: Change[] } | { ok: false; reason: string; result?: ApplyResult };

/** A pass of a step other than the whole of it: another desired state, changes left for later, no waiting for drains. */
interface Pass {
  desired?: HostState;
  later?: (c: Change) => boolean;
  wait?: boolean;
}

/** Applies one step (or `pass` of it) of one host; a thrown refusal (unreachable, not that host, locked, ...) is a failure too. */
async function applyStep(h: RolloutHost, step: Step, options: RolloutOptions, pass: Pass = {}): Promise<StepOutcome> {
  const later = pass.later ?? (step === 'prepare' ? isRemoval : undefined);
  try {
    const result = await applyHost(h.host, pass.desired ?? h.desired, {
      requireRoot: options.requireRoot,
      reload: true,
      drainTimeoutSec: options.drainTimeoutSec,
      what: `rollout (${step}) of host ${h.name}`,
      identity: h.identity,
      wait: pass.wait ?? step === 'directors',
      ...(later ? { later } : {}),
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

/** What waits until the new real servers are proved: taking traffic from any server, and sysctls put back. */
const untilReady = (c: Change) => (c.kind === 'ipvs-destination' && c.action !== 'create') || c.action === 'delete' || c.restore === true;

/** `desired` with the destinations `probes` prove at weight 0: added, but sent no new connection yet. */
function held(desired: HostState, probes: readonly ReadinessProbe[]): HostState {
  const keys = new Set(probes.map((p) => p.destination));
  return {
    ...desired,
    ipvs: desired.ipvs.map((s) => ({
      ...s,
      destinations: s.destinations.map((d) =>
        keys.has(destinationChangeKey(serviceKey(s.id), destinationKey(d))) ? { ...d, weight: 0 } : d,
      ),
    })),
  };
}

/** Why proving failed, and where that leaves the director. */
function notReady(failed: readonly Readiness[]): string {
  const each = failed.map((r) => `${r.destination} (${r.attempts} connect(s) in ${r.ms} ms; last: ${r.reason})`);
  return `not ready through the VIP path: ${each.join(', ')}; the director holds it at weight 0 and sends it nothing: make the real server serve the VIP, then run the rollout again`;
}

/**
 * A director's step: when it starts sending to real servers it can prove, first adds them at weight 0 with what else
 * adds nothing but their paths, proves them (`onReady` hears how), then applies the rest: weights, drains, deletions.
 */
async function directorStep(
  h: RolloutHost,
  options: RolloutOptions,
  onReady: (applied: Change[], proofs: Readiness[]) => void,
): Promise<StepOutcome> {
  let probes: ReadinessProbe[];
  try {
    probes = h.desired.readiness?.length
      ? probesToRun(h.desired.readiness, (await inspectHost(h.host, h.desired, h.identity)).changes)
      : [];
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (probes.length === 0) return applyStep(h, 'directors', options);
  const first = await applyStep(h, 'directors', options, { desired: held(h.desired, probes), later: untilReady, wait: false });
  if (!first.ok) return first;
  const poll = options.clock ?? WALL_CLOCK;
  const clock = { ...poll, deadline: poll.now() + options.readyTimeoutSec * 1000 };
  const proofs = await Promise.all(probes.map((p) => proveReady(h.host, p, clock)));
  const failed = proofs.filter((r) => !r.ready);
  if (failed.length > 0) return { ok: false, reason: notReady(failed) };
  onReady(first.applied, proofs);
  return applyStep(h, 'directors', options);
}

/** Rolls the topology out to `hosts` (in the order given within each step). */
export async function rollout(hosts: readonly RolloutHost[], options: RolloutOptions): Promise<RolloutReport> {
  const standing = new Map<string, HostStanding>(hosts.map((h) => [h.name, { host: h.name, state: 'not-started' }]));
  const changes = new Map<string, number>();
  let failed = false;
  const stop = () => failed || options.interrupted?.() === true;
  const emit = (host: string, step: Step, state: RolloutEvent['state'], detail = '', applied?: Change[], readiness?: Readiness[]) =>
    options.onEvent?.({ at: new Date(), host, step, state, detail, ...(applied ? { applied } : {}), ...(readiness ? { readiness } : {}) });

  const run = async (h: RolloutHost, step: Step) => {
    emit(h.name, step, 'start');
    let early = 0;
    const ready = (applied: Change[], proofs: Readiness[]) => {
      early = applied.length;
      const each = proofs.map((p) => `${p.destination} in ${p.ms} ms`);
      emit(h.name, step, 'ready', `${each.join(', ')}; ${applied.length} change(s) to add them at weight 0`, applied, proofs);
    };
    const r = step === 'directors' ? await directorStep(h, options, ready) : await applyStep(h, step, options);
    if (!r.ok) {
      failed = true;
      standing.set(h.name, { host: h.name, state: 'failed', step, reason: r.reason, ...(r.result ? { result: r.result } : {}) });
      emit(h.name, step, 'failed', r.reason);
      return;
    }
    const total = (changes.get(h.name) ?? 0) + early + r.applied.length;
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
