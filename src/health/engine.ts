// The agent's core: probe reports move targets through rise/fall; a health change re-decides the pools and anycast
// groups it touches, and the difference from what the kernel has becomes the smallest edits. No I/O of its own:
// the clock, the probes, the kernel and the OSPF database are ports.
import type { IpvsDestination, IpvsServiceId } from '../model/state.js';
import { decideAnycast, startAnnouncement, type Announcement } from './anycast.js';
import type { Clock } from './clock.js';
import { observeConnections, startInBand, type ConnSighting, type InBandState } from './in-band.js';
import { decidePool, type Member } from './pool.js';
import { observe, startRiseFall, type Health, type RiseFall } from './rise-fall.js';
import { ProbeScheduler, type ProbeOutcome, type ProbeReport, type ProbeRunner, type ScheduleOptions } from './schedule.js';
import type { Watch, WatchedPool, WatchedProbe } from './watch.js';

/** One change to the kernel, as small as it can be. */
export type Edit =
  | { kind: 'weight' | 'add' | 'remove'; service: IpvsServiceId; destination: IpvsDestination }
  | { kind: 'announce' | 'withdraw'; group: string; prefix: string };

/** Something the operator may want to know, one JSON line each in the event log. */
export interface HealthEvent {
  at: number;
  type: 'health' | 'edit' | 'edit-failed' | 'read-failed' | 'decision' | 'reload';
  [field: string]: unknown;
}

/** The ports the engine acts through. */
export interface EnginePorts {
  clock: Clock;
  probe: ProbeRunner<WatchedProbe>;
  /** Applies edits in order; rejects when the kernel refused one (the engine retries on the next change). */
  apply(edits: readonly Edit[]): Promise<void>;
  /** Nodes other than this one announcing `prefix` now. */
  otherAnnouncers(prefix: string): Promise<number>;
  event(e: HealthEvent): void;
}

/** A target's state as saved and shown. */
export interface TargetState {
  health: Health;
  since: number;
  last?: { passed: boolean; detail: string; at: number; latencyMs: number };
}

/** What survives a restart (the state file): health, the agent's overrides of the topology, announcements. */
export interface SavedState {
  version: 1;
  targets: Record<string, TargetState>;
  /** Per service key, per destination key: the weight the agent set (null: removed). Absent: as the topology says. */
  overrides: Record<string, Record<string, number | null>>;
  /** Service keys whose sorry server the agent added. */
  sorry: string[];
  quorumDown: string[];
  anycast: Record<string, Announcement>;
}

/** An empty saved state. */
export function emptySaved(): SavedState {
  return { version: 1, targets: {}, overrides: {}, sorry: [], quorumDown: [], anycast: {} };
}

/** What a destination has in the kernel now, by service key and destination key (null: absent). */
export type KernelWeights = Map<string, Map<string, number | null>>;

interface Target {
  rf: RiseFall;
  last?: TargetState['last'];
  counts: { passed: number; failed: number };
}

/** The health engine of one host. */
export class HealthEngine {
  private watch: Watch = { probes: new Map(), pools: [], anycast: [] };
  /** The pools each probe decides a member of: a health change re-decides only those. */
  private poolsByProbe = new Map<string, WatchedPool[]>();
  private readonly targets = new Map<string, Target>();
  private saved: SavedState;
  private readonly scheduler: ProbeScheduler<WatchedProbe>;
  private queue: Promise<void> = Promise.resolve();
  private readonly wakes = new Map<string, () => void>();
  /** In-band counting of the probes whose check has an in-band rule, while their target is up. */
  private readonly inBand = new Map<string, InBandState>();
  /** Kernel edits made since start. */
  edits = 0;

  constructor(
    private readonly ports: EnginePorts,
    saved: SavedState,
    private kernel: KernelWeights,
    options: ScheduleOptions,
  ) {
    this.saved = structuredClone(saved);
    this.scheduler = new ProbeScheduler(ports.clock, ports.probe, (r) => this.onReport(r), options);
  }

  /** Watches `watch` (at start and on reload): targets kept by key keep their health; new ones start as saved, else up. */
  load(watch: Watch): void {
    const now = this.ports.clock.now();
    this.watch = watch;
    this.poolsByProbe = new Map();
    for (const pool of watch.pools) {
      for (const probe of new Set(pool.members.flatMap((m) => m.probe ?? [])))
        this.poolsByProbe.set(probe, [...(this.poolsByProbe.get(probe) ?? []), pool]);
    }
    for (const key of this.targets.keys()) if (!watch.probes.has(key)) this.targets.delete(key);
    for (const key of this.inBand.keys()) if (!watch.probes.get(key)?.check.inBand) this.inBand.delete(key);
    for (const key of watch.probes.keys()) {
      if (this.targets.has(key)) continue;
      const saved = this.saved.targets[key];
      this.targets.set(key, {
        rf: startRiseFall(saved?.health ?? 'up', saved?.since ?? now),
        counts: { passed: 0, failed: 0 },
        ...(saved?.last ? { last: saved.last } : {}),
      });
    }
    this.ports.event({ at: now, type: 'reload', probes: watch.probes.size, pools: watch.pools.length, anycast: watch.anycast.length });
    this.scheduler.set([...watch.probes.values()]);
    this.reconcile();
  }

  /** Stops probing (edits under way finish). */
  async stop(): Promise<void> {
    this.scheduler.stop();
    for (const cancel of this.wakes.values()) cancel();
    await this.queue;
  }

  /** Resolves when the edits decided so far are done. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** The state to save, with every target's health and last result. */
  snapshot(): SavedState {
    const targets: Record<string, TargetState> = {};
    for (const [key, t] of this.targets)
      targets[key] = { health: t.rf.health, since: t.rf.since, ...(t.last ? { last: { ...t.last } } : {}) };
    return { ...structuredClone(this.saved), targets };
  }

  /** A target's state and counters. */
  target(key: string): (TargetState & { passed: number; failed: number }) | undefined {
    const t = this.targets.get(key);
    return t && { health: t.rf.health, since: t.rf.since, ...(t.last ? { last: { ...t.last } } : {}), ...t.counts };
  }

  /** The watch in force. */
  watching(): Watch {
    return this.watch;
  }

  private onReport(r: ProbeReport): void {
    const t = this.targets.get(r.key);
    const probe = this.watch.probes.get(r.key);
    if (!t || !probe) return;
    const outcome: ProbeOutcome = r.outcome;
    t.counts[outcome.passed ? 'passed' : 'failed']++;
    // Updated in place: a new object per probe would live one interval, past the young-generation GC (see schedule.ts).
    if (t.last) Object.assign(t.last, { passed: outcome.passed, detail: outcome.detail, at: r.startedAt, latencyMs: r.latencyMs });
    else t.last = { passed: outcome.passed, detail: outcome.detail, at: r.startedAt, latencyMs: r.latencyMs };
    const before = t.rf.health;
    t.rf = observe(t.rf, outcome.passed, probe.check, this.ports.clock.now());
    if (t.rf.health === before) return;
    this.ports.event({
      at: this.ports.clock.now(),
      type: 'health',
      target: `${probe.check.kind} ${probe.check.address}:${probe.check.port}`,
      probe: r.key,
      health: t.rf.health,
      detail: outcome.detail,
    });
    this.reconcile(
      this.poolsByProbe.get(r.key) ?? [],
      this.watch.anycast.some((g) => g.probe === r.key),
    );
  }

  /**
   * One reading of the director's connection table, as each probe's connections (probes with an in-band rule; one
   * with none listed had no connection): a rule that trips takes the target down, and its check's rise brings it back.
   */
  observeConnections(byProbe: ReadonlyMap<string, readonly ConnSighting[]>): void {
    const now = this.ports.clock.now();
    for (const [key, probe] of this.watch.probes) {
      const rule = probe.check.inBand;
      const t = this.targets.get(key);
      if (!rule || !t) continue;
      if (t.rf.health === 'down') {
        this.inBand.delete(key);
        continue;
      }
      const r = observeConnections(this.inBand.get(key) ?? startInBand(), byProbe.get(key) ?? [], rule, now);
      this.inBand.set(key, r.next);
      if (!r.down) continue;
      this.inBand.delete(key);
      t.rf = { health: 'down', streak: 0, since: now };
      this.ports.event({
        at: now,
        type: 'health',
        target: `in-band ${probe.check.address}:${probe.check.port}`,
        probe: key,
        health: 'down',
        detail: `${r.next.failures.length} failed client connections within ${rule.windowMs} ms`,
      });
      this.reconcile(
        this.poolsByProbe.get(key) ?? [],
        this.watch.anycast.some((g) => g.probe === key),
      );
    }
  }

  private health(probe: string | undefined): { health: Health; since: number } {
    const t = probe === undefined ? undefined : this.targets.get(probe);
    return t ? { health: t.rf.health, since: t.rf.since } : { health: 'up', since: 0 };
  }

  /** Re-decides `pools` (default: all) and the anycast groups, and queues the edits where something differs. */
  private reconcile(pools: readonly WatchedPool[] = this.watch.pools, anycast = this.watch.anycast.length > 0): void {
    const edits = pools.flatMap((p) => this.poolEdits(p));
    if (edits.length > 0) this.enqueue(edits);
    if (anycast) this.queue = this.queue.then(() => this.anycastRound());
  }

  private poolEdits(pool: WatchedPool): Edit[] {
    const members: Member[] = pool.members.map((m) => ({ key: m.key, weight: m.destination.weight, ...this.health(m.probe) }));
    const quorumWasUp = !this.saved.quorumDown.includes(pool.key);
    const decision = decidePool(members, pool.policy, quorumWasUp);
    if (decision.quorumUp !== quorumWasUp) {
      this.saved.quorumDown = decision.quorumUp
        ? this.saved.quorumDown.filter((k) => k !== pool.key)
        : [...this.saved.quorumDown, pool.key];
      this.ports.event({ at: this.ports.clock.now(), type: 'decision', service: pool.service, quorum: decision.quorumUp ? 'up' : 'down' });
    }
    const overrides = { ...(this.saved.overrides[pool.key] ?? {}) };
    const kernel = this.kernel.get(pool.key) ?? new Map<string, number | null>();
    // Edits that give the pool capacity go first, those that take it away after: one ipvsadm process each, so
    // in between the table is as the edits so far left it (seen in the VM: a sorry server added after the last
    // real server's removal left the service with no destination for 250 ms, and a server restored after another's
    // removal had both out, more than fail-open allows).
    const raise: Edit[] = [];
    const lower: Edit[] = [];
    decision.members.forEach((placement, i) => {
      const member = pool.members[i]!;
      const wanted = placement.weight;
      const overridden = member.key in overrides;
      // The agent only acts on deviations it decides (and on undoing its own); what apply put there is apply's.
      if (wanted === member.destination.weight && !overridden) return;
      if (wanted === member.destination.weight) delete overrides[member.key];
      else overrides[member.key] = wanted;
      const has = kernel.has(member.key) ? kernel.get(member.key)! : null;
      if (has === wanted) return;
      const destination = { ...member.destination, weight: wanted ?? 0 };
      const edit: Edit = { kind: wanted === null ? 'remove' : has === null ? 'add' : 'weight', service: pool.id, destination };
      (wanted !== null && (has === null || wanted > has) ? raise : lower).push(edit);
      kernel.set(member.key, wanted);
    });
    if (pool.sorry) {
      const sorryIn = this.saved.sorry.includes(pool.key);
      if (decision.sorry !== sorryIn) {
        (decision.sorry ? raise : lower).push({ kind: decision.sorry ? 'add' : 'remove', service: pool.id, destination: pool.sorry });
        this.saved.sorry = decision.sorry ? [...this.saved.sorry, pool.key] : this.saved.sorry.filter((k) => k !== pool.key);
      }
    }
    this.kernel.set(pool.key, kernel);
    if (Object.keys(overrides).length > 0) this.saved.overrides[pool.key] = overrides;
    else delete this.saved.overrides[pool.key];
    const edits = [...raise, ...lower];
    return edits;
  }

  private async anycastRound(): Promise<void> {
    for (const g of this.watch.anycast) {
      const now = this.ports.clock.now();
      const state = this.saved.anycast[g.group] ?? startAnnouncement(g, now);
      const { health, since } = this.health(g.probe);
      // The OSPF database is read only when the answer could change the decision.
      const needsCount = state.announced ? health === 'down' : true;
      const others = needsCount ? await this.ports.otherAnnouncers(g.prefix) : 1;
      const d = decideAnycast(state, health, since, others, g, this.ports.clock.now());
      this.saved.anycast[g.group] = d.next;
      this.wakes.get(g.group)?.();
      this.wakes.delete(g.group);
      if (d.wakeAt !== undefined)
        this.wakes.set(
          g.group,
          this.ports.clock.after(d.wakeAt - this.ports.clock.now(), () => this.reconcile([], true)),
        );
      else if (!d.next.announced && health === 'down')
        this.wakes.set(
          g.group,
          this.ports.clock.after(g.holdDownMs, () => this.reconcile([], true)),
        );
      if (d.action === null) continue;
      this.ports.event({ at: this.ports.clock.now(), type: 'decision', group: g.group, action: d.action, reason: d.reason });
      await this.applyNow([{ kind: d.action, group: g.group, prefix: g.prefix }]);
    }
  }

  private enqueue(edits: Edit[]): void {
    this.queue = this.queue.then(() => this.applyNow(edits));
  }

  private async applyNow(edits: Edit[]): Promise<void> {
    try {
      await this.ports.apply(edits);
      this.edits += edits.length;
      for (const e of edits) this.ports.event({ at: this.ports.clock.now(), type: 'edit', ...e });
    } catch (err) {
      this.ports.event({ at: this.ports.clock.now(), type: 'edit-failed', error: (err as Error).message, edits });
    }
  }
}
