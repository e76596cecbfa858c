// The rise/fall state machine of one probed target: `fall` failures in a row take it down, `rise` passes bring it up.

/** A target's health as the checks decided it. */
export type Health = 'up' | 'down';

/** Where a target stands: its health, the run of results against it, since when it has been so. */
export interface RiseFall {
  health: Health;
  /** Results in a row that disagree with `health` (a run towards changing it). */
  streak: number;
  /** When `health` last changed (ms). */
  since: number;
}

/** How many results in a row change the health. */
export interface RiseFallRule {
  rise: number;
  fall: number;
}

/** A target starting in `health` (the agent trusts what it finds: the kernel's state or its last state file). */
export function startRiseFall(health: Health, now: number): RiseFall {
  return { health, streak: 0, since: now };
}

/** The state after one result; `health` changes when the streak reaches rise (while down) or fall (while up). */
export function observe(state: RiseFall, passed: boolean, rule: RiseFallRule, now: number): RiseFall {
  const agrees = passed === (state.health === 'up');
  if (agrees) return state.streak === 0 ? state : { ...state, streak: 0 };
  const streak = state.streak + 1;
  if (streak < (state.health === 'up' ? rule.fall : rule.rise)) return { ...state, streak };
  return { health: state.health === 'up' ? 'down' : 'up', streak: 0, since: now };
}
