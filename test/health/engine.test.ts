import { describe, expect, it } from 'vitest';
import { emptySaved, HealthEngine, type Edit, type HealthEvent, type KernelWeights, type SavedState } from '../../src/health/engine.js';
import type { ProbeOutcome } from '../../src/health/schedule.js';
import { ProbeScheduler } from '../../src/health/schedule.js';
import { watchFor, type WatchedProbe } from '../../src/health/watch.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeClock, seeded } from '../support/fake-clock.js';
import { natDirector } from '../support/nat-director.js';

/** Two services on one VIP share web1 and web2 with the same check: two probes, not four. */
const TOPOLOGY = natDirector(`services:
  a:
    vip: 192.168.10.100
    port: 80
    method: nat
    directors: [director]
    check: { kind: tcp, port: 8080 }
    failOpen: 50
    realServers: [web1, web2]
  b:
    vip: 192.168.10.101
    port: 80
    method: nat
    directors: [director]
    check: { kind: tcp, port: 8080 }
    failOpen: 50
    realServers: [web1, web2]
`);

const watch = () => watchFor(loadTopology('t.yaml', TOPOLOGY).topology!, 'director');

/** The kernel as apply leaves it: every member at its topology weight. */
const applied = (): KernelWeights =>
  new Map(watch().pools.map((p) => [p.key, new Map(p.members.map((m) => [m.key, m.destination.weight]))]));

/** An engine on a fake clock whose probes answer `healthy(server, now)`. */
function harness(healthy: (server: string, now: number) => boolean, saved: SavedState = emptySaved(), kernel: KernelWeights = applied()) {
  const clock = new FakeClock();
  const probes: { server: string; at: number }[] = [];
  const edits: Edit[] = [];
  const events: HealthEvent[] = [];
  const engine = new HealthEngine(
    {
      clock,
      probe: async (p: WatchedProbe): Promise<ProbeOutcome> => {
        probes.push({ server: p.server, at: clock.now() });
        return healthy(p.server, clock.now()) ? { passed: true, detail: 'connected' } : { passed: false, detail: 'connection refused' };
      },
      apply: async (e) => void edits.push(...e),
      otherAnnouncers: async () => 1,
      event: (e) => void events.push(e),
    },
    saved,
    kernel,
    { concurrency: 4, jitter: 0.05, random: seeded(1) },
  );
  engine.load(watch());
  return { clock, engine, probes, edits, events };
}

describe('health engine', () => {
  it('probes each real server once per interval however many services share it', async () => {
    const h = harness(() => true);
    await h.clock.advance(10_000);
    expect(watch().probes.size).toBe(2);
    for (const server of ['192.168.10.21', '192.168.10.22']) {
      const n = h.probes.filter((p) => p.server === server).length;
      // 10 s at 500 ms ± 5 %: 19 to 21 probes
      expect(n).toBeGreaterThanOrEqual(19);
      expect(n).toBeLessThanOrEqual(21);
    }
    expect(h.edits).toEqual([]);
  });

  it('a hard failure is out of both pools within fall intervals, and back after rise', async () => {
    let down = false;
    const h = harness((server) => !(down && server === '192.168.10.21'));
    await h.clock.advance(1000);
    down = true;
    const failedAt = h.clock.now();
    while (h.edits.length < 2) await h.clock.advance(10);
    const detection = h.clock.now() - failedAt;
    expect(detection).toBeLessThanOrEqual(2 * 525 + 10);
    expect(
      h.edits.map(
        (e) =>
          e.kind === 'weight' &&
          `${e.service.protocol !== 'fwmark' && e.service.address} ${e.destination.address} w${e.destination.weight}`,
      ),
    ).toEqual(['192.168.10.100 192.168.10.21 w0', '192.168.10.101 192.168.10.21 w0']);
    expect(h.engine.snapshot().overrides).toEqual({
      'tcp 192.168.10.100:80': { '192.168.10.21:80': 0 },
      'tcp 192.168.10.101:80': { '192.168.10.21:80': 0 },
    });
    down = false;
    await h.clock.advance(1500);
    expect(h.edits.slice(2).map((e) => e.kind === 'weight' && e.destination.weight)).toEqual([1, 1]);
    expect(h.engine.snapshot().overrides).toEqual({});
  });

  it('fail-open: both servers failing take out only one of each pool', async () => {
    const h = harness(() => false);
    await h.clock.advance(5000);
    expect(h.edits).toHaveLength(2);
    expect(new Set(h.edits.map((e) => e.kind === 'weight' && e.destination.address)).size).toBe(1);
  });

  it('adds the sorry server when every real server is down, and removes it when one is back', async () => {
    const topo = TOPOLOGY.replace(
      '    failOpen: 50\n    realServers: [web1, web2]\n  b:',
      '    failOpen: 50\n    sorryServer: 192.168.10.50:8080\n    realServers: [web1, web2]\n  b:',
    );
    expect(topo).toContain('sorryServer');
    let healthy = true;
    const clock = new FakeClock();
    const edits: Edit[] = [];
    const w = watchFor(loadTopology('t.yaml', topo).topology!, 'director');
    const engine = new HealthEngine(
      {
        clock,
        probe: async () => ({ passed: healthy, detail: '' }),
        apply: async (e) => void edits.push(...e),
        otherAnnouncers: async () => 1,
        event: () => {},
      },
      emptySaved(),
      new Map(w.pools.map((p) => [p.key, new Map(p.members.map((m) => [m.key, m.destination.weight]))])),
      { concurrency: 4, jitter: 0.05, random: seeded(5) },
    );
    engine.load(w);
    await clock.advance(1000);
    healthy = false;
    await clock.advance(2000);
    const described = (list: Edit[]) =>
      list.map((e) =>
        'service' in e
          ? `${e.kind} ${e.service.protocol !== 'fwmark' && e.service.address} ${e.destination.address}:${e.destination.port} w${e.destination.weight}`
          : false,
      );
    // the sorry server goes in before the last real server goes out: the service is never without a destination
    const a = described(edits).filter((e) => typeof e === 'string' && e.includes(' 192.168.10.100 '));
    expect(a.indexOf('add 192.168.10.100 192.168.10.50:8080 w1')).toBe(a.length - 2);
    // service a: both out (the sorry server takes the traffic); service b (no sorry server): fail-open keeps one in
    expect(described(edits).sort()).toEqual([
      'add 192.168.10.100 192.168.10.50:8080 w1',
      'weight 192.168.10.100 192.168.10.21:80 w0',
      'weight 192.168.10.100 192.168.10.22:80 w0',
      expect.stringMatching(/^weight 192\.168\.10\.101 192\.168\.10\.2[12]:80 w0$/),
    ]);
    expect(engine.snapshot().sorry).toEqual(['tcp 192.168.10.100:80']);
    healthy = true;
    await clock.advance(2000);
    expect(described(edits.slice(4)).filter((e) => typeof e === 'string' && e.startsWith('remove'))).toEqual([
      'remove 192.168.10.100 192.168.10.50:8080 w1',
    ]);
    expect(engine.snapshot()).toMatchObject({ sorry: [], overrides: {} });
    await engine.stop();
  });

  it('restores a server before it takes another out (fail-open swapping which one is out): never both out at once', async () => {
    // web2 fails first and goes out; web1 fails later and is held in (one of two may go); web2 recovers: web1 goes out
    const h = harness((server, now) => (server === '192.168.10.22' ? now < 1000 || now >= 4000 : now < 2000));
    await h.clock.advance(6000);
    const order = h.edits.map(
      (e) =>
        e.kind === 'weight' && `${e.service.protocol !== 'fwmark' && e.service.address} ${e.destination.address} w${e.destination.weight}`,
    );
    expect(order).toEqual([
      '192.168.10.100 192.168.10.22 w0',
      '192.168.10.101 192.168.10.22 w0',
      '192.168.10.100 192.168.10.22 w1',
      '192.168.10.100 192.168.10.21 w0',
      '192.168.10.101 192.168.10.22 w1',
      '192.168.10.101 192.168.10.21 w0',
    ]);
    await h.engine.stop();
  });

  it.each([
    [2, 2],
    [3, 3],
    [1, 1],
  ])(
    'a server flapping every 300 ms with rise %i / fall %i changes the kernel at most once per rise-or-fall run of probes',
    async (rise, fall) => {
      const topo = TOPOLOGY.replaceAll(
        'check: { kind: tcp, port: 8080 }',
        `check: { kind: tcp, port: 8080, rise: ${rise}, fall: ${fall} }`,
      );
      const clock = new FakeClock();
      const edits: Edit[] = [];
      const engine = new HealthEngine(
        {
          clock,
          probe: async (p) => ({ passed: p.server !== '192.168.10.21' || Math.floor(clock.now() / 300) % 2 === 0, detail: '' }),
          apply: async (e) => void edits.push(...e),
          otherAnnouncers: async () => 1,
          event: () => {},
        },
        emptySaved(),
        applied(),
        { concurrency: 4, jitter: 0.05, random: seeded(7) },
      );
      engine.load(watchFor(loadTopology('t.yaml', topo).topology!, 'director'));
      const duration = 60_000;
      await clock.advance(duration);
      await engine.stop();
      // Each change of health needs min(rise, fall) probes in a row; two services get one edit each per change.
      const bound = 2 * Math.ceil(duration / (475 * Math.min(rise, fall)));
      expect(edits.length).toBeLessThanOrEqual(bound);
      if (rise === 1) expect(edits.length).toBeGreaterThan(0);
    },
  );

  it('on restart, trusts its state file and the kernel: no edit until health changes', async () => {
    let down = true;
    const first = harness((server) => !(down && server === '192.168.10.21'));
    await first.clock.advance(3000);
    expect(first.edits).toHaveLength(2);
    const saved = first.engine.snapshot();
    await first.engine.stop();
    const kernel: KernelWeights = new Map([
      [
        'tcp 192.168.10.100:80',
        new Map<string, number | null>([
          ['192.168.10.21:80', 0],
          ['192.168.10.22:80', 1],
        ]),
      ],
      [
        'tcp 192.168.10.101:80',
        new Map<string, number | null>([
          ['192.168.10.21:80', 0],
          ['192.168.10.22:80', 1],
        ]),
      ],
    ]);
    const second = harness((server) => !(down && server === '192.168.10.21'), saved, kernel);
    await second.clock.advance(3000);
    expect(second.edits).toEqual([]);
    down = false;
    await second.clock.advance(2000);
    expect(second.edits.map((e) => e.kind === 'weight' && e.destination.weight)).toEqual([1, 1]);
  });

  it('a reload keeps the health of probes that stay', async () => {
    const h = harness((server) => server !== '192.168.10.21');
    await h.clock.advance(3000);
    const key = [...watch().probes.values()].find((p) => p.server === '192.168.10.21')!.key;
    expect(h.engine.target(key)?.health).toBe('down');
    h.engine.load(watch());
    expect(h.engine.target(key)?.health).toBe('down');
    expect(h.edits).toHaveLength(2);
  });
});

describe('probe scheduler', () => {
  it('never runs more than `concurrency` probes at once, and cuts off a probe at its timeout', async () => {
    const clock = new FakeClock();
    let running = 0;
    let peak = 0;
    const reports: string[] = [];
    const scheduler = new ProbeScheduler(
      clock,
      (_p, signal) =>
        new Promise((resolve) => {
          running++;
          peak = Math.max(peak, running);
          const cancel = clock.after(300, () => resolve({ passed: true, detail: 'slow' }));
          signal.addEventListener('abort', () => {
            cancel();
            resolve({ passed: true, detail: 'aborted' });
          });
        }).finally(() => running--) as Promise<ProbeOutcome>,
      (r) => void reports.push(r.outcome.detail),
      { concurrency: 3, jitter: 0.05, random: seeded(3) },
    );
    scheduler.set(Array.from({ length: 10 }, (_, i) => ({ key: `p${i}`, intervalMs: 500, timeoutMs: i === 0 ? 100 : 400 })));
    await clock.advance(5000);
    scheduler.stop();
    expect(peak).toBe(3);
    expect(reports).toContain('timed out after 100 ms');
    expect(reports).toContain('slow');
  });

  it('runs each probe once per interval on one timer; a probe dropped by set stops, the others keep their rhythm', async () => {
    const clock = new FakeClock();
    const runs: string[] = [];
    const scheduler = new ProbeScheduler(
      clock,
      async (p) => {
        runs.push(p.key);
        return { passed: true, detail: 'ok' };
      },
      () => undefined,
      { concurrency: 64, jitter: 0.05, random: seeded(9) },
    );
    const probes = Array.from({ length: 50 }, (_, i) => ({ key: `p${i}`, intervalMs: 1000, timeoutMs: 500 }));
    scheduler.set(probes);
    await clock.advance(10_000);
    for (const p of probes) expect(runs.filter((k) => k === p.key).length).toBeGreaterThanOrEqual(9);
    runs.length = 0;
    scheduler.set(probes.slice(1));
    await clock.advance(10_000);
    expect(runs).not.toContain('p0');
    for (const p of probes.slice(1)) expect(runs.filter((k) => k === p.key).length).toBeGreaterThanOrEqual(9);
    scheduler.stop();
    runs.length = 0;
    await clock.advance(5_000);
    expect(runs).toEqual([]);
  });
});
