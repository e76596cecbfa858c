// Probe scheduling: each distinct probe runs once per interval however many services share it, starts at a random
// phase and drifts by a small jitter (so that thousands of checks do not fire together), never more than
// `concurrency` at once, and is cut off at its timeout.
import type { Clock } from './clock.js';

/** What one probe found. */
export interface ProbeOutcome {
  passed: boolean;
  /** Why it failed, or what it saw ("HTTP 200", "connection refused"). */
  detail: string;
}

/** A probe as the scheduler knows it: identity, period, and the time it may take. */
export interface ProbeTiming {
  /** Identity of the probe: equal keys are one probe (same target, check and interval). */
  key: string;
  intervalMs: number;
  timeoutMs: number;
}

/** Runs one probe; must give up when `signal` aborts. */
export type ProbeRunner<P extends ProbeTiming> = (probe: P, signal: AbortSignal) => Promise<ProbeOutcome>;

/** A finished probe: its outcome, when it started and how long it took. */
export interface ProbeReport {
  key: string;
  outcome: ProbeOutcome;
  startedAt: number;
  latencyMs: number;
}

/** How probes are spread: at most `concurrency` at once, each interval stretched or shrunk by up to `jitter` (0.05 = 5 %). */
export interface ScheduleOptions {
  concurrency: number;
  jitter: number;
  /** A number in [0, 1): Math.random, or a seeded one in tests. */
  random: () => number;
}

interface Slot<P> {
  probe: P;
  /** When it is next due (clock ms). */
  at: number;
  /** Running or waiting for a concurrency slot. */
  due: boolean;
  /** Dropped by `set` or `stop`; its heap entry is discarded when it comes up. */
  gone: boolean;
}

/**
 * Runs a changing set of probes on a clock; results go to `report`. One timer for all of them, on the earliest due
 * time of a min-heap of slots: a timer per probe per interval lives about one interval, long enough to survive the
 * young-generation GC, so at 10,000 probes/s those timers and their closures filled the old space with garbage
 * (over 100 MB of heap between collections for a live set of 26 MB).
 */
export class ProbeScheduler<P extends ProbeTiming> {
  private readonly slots = new Map<string, Slot<P>>();
  private readonly heap: Slot<P>[] = [];
  private wake: { at: number; cancel: () => void } | undefined;
  private readonly queue: Slot<P>[] = [];
  private running = 0;

  constructor(
    private readonly clock: Clock,
    private readonly runProbe: ProbeRunner<P>,
    private readonly report: (r: ProbeReport) => void,
    private readonly options: ScheduleOptions,
  ) {}

  /** Probes running or waiting for a slot now. */
  get busy(): number {
    return this.running + this.queue.length;
  }

  /** Makes `probes` the set that runs: new ones start at a random phase, kept ones keep their rhythm, gone ones stop. */
  set(probes: readonly P[]): void {
    const wanted = new Map(probes.map((p) => [p.key, p]));
    for (const [key, slot] of this.slots) {
      if (!wanted.has(key)) {
        slot.gone = true;
        this.slots.delete(key);
      }
    }
    const now = this.clock.now();
    for (const [key, probe] of wanted) {
      const slot = this.slots.get(key);
      if (slot) slot.probe = probe;
      else {
        const fresh = { probe, at: now + this.options.random() * probe.intervalMs, due: false, gone: false };
        this.slots.set(key, fresh);
        this.push(fresh);
      }
    }
    this.arm();
  }

  /** Stops every probe (those running finish; their results are dropped). */
  stop(): void {
    for (const slot of this.slots.values()) slot.gone = true;
    this.slots.clear();
    this.heap.length = 0;
    this.queue.length = 0;
    this.wake?.cancel();
    this.wake = undefined;
  }

  /** Sets the one timer for the earliest due slot, unless it is set for that time or earlier already. */
  private arm(): void {
    const next = this.heap[0];
    if (this.wake && next && this.wake.at <= next.at) return;
    this.wake?.cancel();
    this.wake = next && { at: next.at, cancel: this.clock.after(next.at - this.clock.now(), this.fire) };
  }

  /** Starts every slot due by now and puts each back at its next time (an interval stretched by the jitter). */
  private readonly fire = (): void => {
    this.wake = undefined;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const slot = this.pop();
      if (slot.gone) continue;
      slot.at = now + slot.probe.intervalMs * (1 + this.options.jitter * (2 * this.options.random() - 1));
      this.push(slot);
      // A probe still waiting for a slot is not queued twice: the interval it missed is simply skipped.
      if (slot.due) continue;
      slot.due = true;
      this.queue.push(slot);
    }
    this.drain();
    this.arm();
  };

  private push(slot: Slot<P>): void {
    const h = this.heap;
    let i = h.push(slot) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= slot.at) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = slot;
  }

  private pop(): Slot<P> {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= h.length) break;
      const child = left + 1 < h.length && h[left + 1]!.at < h[left]!.at ? left + 1 : left;
      if (h[child]!.at >= last.at) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
    return top;
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const slot = this.queue.shift()!;
      if (slot.gone) continue;
      this.running++;
      void this.start(slot).finally(() => {
        slot.due = false;
        this.running--;
        this.drain();
      });
    }
  }

  private async start(slot: Slot<P>): Promise<void> {
    const { probe } = slot;
    const startedAt = this.clock.now();
    const abort = new AbortController();
    let timedOut = false;
    const cancelTimer = this.clock.after(probe.timeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    let outcome: ProbeOutcome;
    try {
      outcome = await this.runProbe(probe, abort.signal);
    } catch (err) {
      outcome = { passed: false, detail: `probe error: ${(err as Error).message}` };
    }
    cancelTimer();
    if (timedOut) outcome = { passed: false, detail: `timed out after ${probe.timeoutMs} ms` };
    if (!slot.gone) this.report({ key: probe.key, outcome, startedAt, latencyMs: this.clock.now() - startedAt });
  }
}
