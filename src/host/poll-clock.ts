// A clock to poll by: the time now and a pause. Tests stand in one whose time moves when it pauses.

/** The time now (ms) and a pause of `ms`. */
export interface PollClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** The wall clock and real pauses. */
export const WALL_CLOCK: PollClock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
