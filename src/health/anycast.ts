// Whether this node announces an anycast prefix: withdraw on failure unless it is the last announcer, announce
// again after the check rises plus a hold-down that doubles with each flap (capped).
import type { Health } from './rise-fall.js';

/** The hold-down and its cap (ms). */
export interface HoldDownPolicy {
  holdDownMs: number;
  holdDownMaxMs: number;
}

/** This node's announcement of one prefix. */
export interface Announcement {
  announced: boolean;
  /** The hold-down the next re-announcement waits. */
  holdDownMs: number;
  /** When the announcement last changed (ms). */
  since: number;
  /** Announced again after a withdrawal (a failure soon after is a flap). */
  returned: boolean;
  /** Announced while failing because no other node did: stays so until the check passes (no oscillation when all fail at once). */
  failOpen?: boolean;
}

/** What to do now, and why; `wakeAt` asks to be decided again then (a hold-down ends). */
export interface AnycastDecision {
  next: Announcement;
  action: 'announce' | 'withdraw' | null;
  reason: string;
  wakeAt?: number;
}

/** The announcement a node starts with: announced (as apply left it) unless its state file says otherwise. */
export function startAnnouncement(policy: HoldDownPolicy, now: number, announced = true): Announcement {
  return { announced, holdDownMs: policy.holdDownMs, since: now, returned: false };
}

/**
 * Decides from the check's health (and since when), and the number of other nodes announcing the prefix now (from
 * the OSPF database). A withdrawal within `holdDownMaxMs` of announcing again is a flap: the hold-down doubles
 * (up to the cap); one after a longer stable spell starts again from the configured hold-down.
 */
export function decideAnycast(
  state: Announcement,
  health: Health,
  healthSince: number,
  otherAnnouncers: number,
  policy: HoldDownPolicy,
  now: number,
): AnycastDecision {
  if (state.announced) {
    if (health === 'up') return { next: state.failOpen ? { ...state, failOpen: false } : state, action: null, reason: 'healthy' };
    if (state.failOpen)
      return { next: state, action: null, reason: 'check failing; announcing as the last node until the check passes (fail-open)' };
    if (otherAnnouncers === 0)
      return { next: state, action: null, reason: 'check failing, but no other node announces the prefix: staying (fail-open)' };
    const flap = state.returned && now - state.since < policy.holdDownMaxMs;
    const holdDownMs = flap ? Math.min(state.holdDownMs * 2, policy.holdDownMaxMs) : policy.holdDownMs;
    return {
      next: { announced: false, holdDownMs, since: now, returned: false },
      action: 'withdraw',
      reason: `check failing; ${otherAnnouncers} other node(s) announce the prefix`,
    };
  }
  if (otherAnnouncers === 0)
    return {
      next: { ...state, announced: true, since: now, returned: true, failOpen: health === 'down' },
      action: 'announce',
      reason: 'no other node announces the prefix: announcing whatever the check says (fail-open)',
    };
  if (health === 'down') return { next: state, action: null, reason: 'check failing' };
  const at = Math.max(healthSince, state.since) + state.holdDownMs;
  if (now < at) return { next: state, action: null, reason: `check passing; hold-down ${state.holdDownMs} ms`, wakeAt: at };
  return {
    next: { ...state, announced: true, since: now, returned: true },
    action: 'announce',
    reason: `check passing for the hold-down (${state.holdDownMs} ms)`,
  };
}
