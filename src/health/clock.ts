// Time as the health core sees it: a clock and one-shot timers, injected so that tests run on a fake clock.

/** Milliseconds now and one-shot timers. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}
