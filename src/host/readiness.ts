// Proving a real server ready before a director sends it traffic: from the director, TCP connects through the
// server's VIP path until the check's `rise` pass in a row, or a deadline passes.
import { connectArgv, connectOutcome } from '../drivers/perl/connect.js';
import type { ReadinessProbe } from '../model/state.js';
import type { Change } from '../plan/types.js';
import type { PollClock } from './poll-clock.js';
import type { Runner } from './port.js';

/** How long a rollout tries by default to prove a new real server ready (apply --ready-timeout). */
export const DEFAULT_READY_TIMEOUT_SEC = 60;

/** What proving one real server came to. */
export interface Readiness {
  destination: string;
  ready: boolean;
  /** Connects made, and how long it took from the first to the verdict. */
  attempts: number;
  ms: number;
  /** The last failed connect's reason (for a server not proved ready). */
  reason?: string;
}

/** How long to try (until `deadline`), on a clock to poll by. */
export interface ReadinessClock extends PollClock {
  deadline: number;
}

/** The probes whose servers a plan starts sending traffic to: created, or raised from weight 0. */
export function probesToRun(probes: readonly ReadinessProbe[], plan: readonly Change[]): ReadinessProbe[] {
  const starting = new Set(
    plan
      .filter(
        (c) => c.kind === 'ipvs-destination' && c.after !== null && c.after.weight > 0 && (c.before === null || c.before.weight === 0),
      )
      .map((c) => c.key),
  );
  return probes.filter((p) => starting.has(p.destination));
}

/** Connects through `probe`'s path on `host` until it passes `rise` times in a row or the deadline passes. */
export async function proveReady(host: Runner, probe: ReadinessProbe, clock: ReadinessClock): Promise<Readiness> {
  const start = clock.now();
  let attempts = 0;
  let streak = 0;
  let reason = '';
  for (;;) {
    attempts++;
    const outcome = connectOutcome(await host.run(connectArgv(probe)));
    if (outcome.kind === 'no-perl')
      return {
        destination: probe.destination,
        ready: false,
        attempts,
        ms: clock.now() - start,
        reason: 'the director has no perl (Debian: perl-base) to probe with',
      };
    streak = outcome.kind === 'connected' ? streak + 1 : 0;
    if (outcome.kind === 'failed') reason = outcome.reason;
    if (streak >= probe.rise) return { destination: probe.destination, ready: true, attempts, ms: clock.now() - start };
    if (clock.now() + probe.intervalMs > clock.deadline)
      return {
        destination: probe.destination,
        ready: false,
        attempts,
        ms: clock.now() - start,
        reason: reason || 'it passed too few times in a row',
      };
    await clock.sleep(probe.intervalMs);
  }
}
