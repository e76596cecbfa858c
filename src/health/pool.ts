// What a service's pool should be, given its members' health: weights, removals, the sorry server, quorum with
// hysteresis, and fail-open (failing checks never take out more than a share of the pool at once).
import type { PoolPolicy } from '../topology/types.js';
import type { Health } from './rise-fall.js';

/** A real server of the pool as the decision sees it. */
export interface Member {
  key: string;
  /** The weight the topology gives it. */
  weight: number;
  health: Health;
  /** When it went down (ms): the first to fail are the first taken out. */
  since: number;
}

/** Where a member should be: its weight in the kernel, or null when it should not be in the table. */
export interface Placement {
  key: string;
  weight: number | null;
  /** Down but kept in by fail-open. */
  heldIn: boolean;
}

/** The pool as it should be. */
export interface PoolDecision {
  members: Placement[];
  /** The sorry server is in the table. */
  sorry: boolean;
  /** Quorum as decided now (true when the service has no quorum). */
  quorumUp: boolean;
}

/** Quorum with hysteresis: lost below quorum - hysteresis, regained at quorum + hysteresis. */
export function quorumHolds(policy: PoolPolicy, healthyWeight: number, wasUp: boolean): boolean {
  if (policy.quorum === 0) return true;
  return wasUp ? healthyWeight >= policy.quorum - policy.hysteresis : healthyWeight >= policy.quorum + policy.hysteresis;
}

/**
 * Decides the pool. When the service is down (no healthy member, or quorum lost) and has a sorry server, the sorry
 * server takes the traffic and every failed member goes out. Otherwise failed members go out in the order they
 * failed, at most `failOpenPercent` of the pool: the rest stay in at their weight (a check failing everywhere at once
 * is more likely the checker's fault than the servers').
 */
export function decidePool(members: readonly Member[], policy: PoolPolicy, quorumWasUp: boolean): PoolDecision {
  const healthyWeight = members.filter((m) => m.health === 'up').reduce((sum, m) => sum + m.weight, 0);
  const anyHealthy = members.some((m) => m.health === 'up' && m.weight > 0);
  const quorumUp = quorumHolds(policy, healthyWeight, quorumWasUp);
  const sorry = policy.sorryServer !== undefined && (!anyHealthy || !quorumUp);
  const out = policy.onFailure === 'remove' ? null : 0;
  const failed = members.filter((m) => m.health === 'down').sort((a, b) => a.since - b.since || a.key.localeCompare(b.key));
  const budget = sorry ? failed.length : Math.floor((members.length * policy.failOpenPercent) / 100);
  const takenOut = new Set(failed.slice(0, budget).map((m) => m.key));
  return {
    members: members.map((m) => ({
      key: m.key,
      weight: takenOut.has(m.key) ? out : m.weight,
      heldIn: m.health === 'down' && !takenOut.has(m.key),
    })),
    sorry,
    quorumUp,
  };
}
