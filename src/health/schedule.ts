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
  cancel: () => void;
  due: boolean;
}

/** Runs a changing set of probes on a clock; results go to `report`. */
export class ProbeScheduler<P extends ProbeTiming> {
  private readonly slots = new Map<string, Slot<P>>();
  private readonly queue: string[] = [];
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
        slot.cancel();
        this.slots.delete(key);
      }
    }
    for (const [key, probe] of wanted) {
      const slot = this.slots.get(key);
      if (slot) slot.probe = probe;
      else
        this.slots.set(key, { probe, due: false, cancel: this.clock.after(this.options.random() * probe.intervalMs, () => this.due(key)) });
    }
  }

  /** Stops every probe (those running finish; their results are dropped). */
  stop(): void {
    for (const slot of this.slots.values()) slot.cancel();
    this.slots.clear();
    this.queue.length = 0;
  }

  private due(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    const { intervalMs } = slot.probe;
    const stretch = 1 + this.options.jitter * (2 * this.options.random() - 1);
    slot.cancel = this.clock.after(intervalMs * stretch, () => this.due(key));
    // A probe still waiting for a slot is not queued twice: the interval it missed is simply skipped.
    if (slot.due) return;
    slot.due = true;
    this.queue.push(key);
    this.drain();
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      const slot = this.slots.get(key);
      if (!slot) continue;
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
    if (this.slots.get(probe.key) === slot) this.report({ key: probe.key, outcome, startedAt, latencyMs: this.clock.now() - startedAt });
  }
}
