// In-band counting end to end on a fake clock: connection table text → sightings per probe → the engine takes the
// member down when its rule trips (a weight edit), and the check's rise brings it back.
import { describe, expect, it } from 'vitest';
import { sightingsByProbe } from '../../src/agent/in-band.js';
import { parseIpvsConnections } from '../../src/drivers/ipvs/parse-conn.js';
import { emptySaved, HealthEngine, type Edit, type KernelWeights } from '../../src/health/engine.js';
import { watchFor } from '../../src/health/watch.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeClock, seeded } from '../support/fake-clock.js';
import { natDirector } from '../support/nat-director.js';

const TOPOLOGY = natDirector(`services:
  a:
    vip: 192.168.10.100
    port: 80
    method: nat
    directors: [director]
    check: { kind: tcp, inBand: { failures: 2, unanswered: 1s } }
    realServers: [web1, web2]
`);

const HEADER = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData';
/** 192.168.10.100:80 (C0A80A64 0050) from 192.0.2.N:port to web1 (C0A80A15) or web2 (C0A80A16). */
const conn = (client: string, port: string, dest: '15' | '16', state: string) =>
  `TCP ${client} ${port} C0A80A64 0050 C0A80A${dest} 0050 ${state.padEnd(11)}      57`;

describe('in-band counting in the agent', () => {
  const watch = watchFor(loadTopology('t.yaml', TOPOLOGY).topology!, 'director');
  const web1 = [...watch.probes.values()].find((p) => p.server === '192.168.10.21')!.key;
  const web2 = [...watch.probes.values()].find((p) => p.server === '192.168.10.22')!.key;

  it("hands each connection to its member's probe, with the phase its TCP state means", () => {
    const table = [
      HEADER,
      conn('C0000201', 'D8B5', '15', 'SYN_RECV'),
      conn('C0000202', 'D8B6', '15', 'ESTABLISHED'),
      conn('C0000203', 'D8B7', '16', 'CLOSE'),
      conn('C0000204', 'D8B8', '16', 'NONE'),
      'TCP C0000205 D8B9 C0A80A65 0050 C0A80A15 0050 SYN_RECV         57',
    ].join('\n');
    const byProbe = sightingsByProbe(watch, parseIpvsConnections(table));
    expect(Object.fromEntries(byProbe)).toEqual({
      [web1]: [
        { key: '192.0.2.1:55477 192.168.10.100:80', phase: 'opening' },
        { key: '192.0.2.2:55478 192.168.10.100:80', phase: 'established' },
      ],
      [web2]: [{ key: '192.0.2.3:55479 192.168.10.100:80', phase: 'reset' }],
    });
  });

  it('two unanswered connections to web1 take it out (weight 0) while its check passes; rise brings it back', async () => {
    const clock = new FakeClock();
    const edits: Edit[] = [];
    const kernel: KernelWeights = new Map(watch.pools.map((p) => [p.key, new Map(p.members.map((m) => [m.key, 1]))]));
    const engine = new HealthEngine(
      {
        clock,
        probe: async () => ({ passed: true, detail: 'connected' }),
        apply: async (e) => void edits.push(...e),
        otherAnnouncers: async () => 1,
        event: () => undefined,
      },
      emptySaved(),
      kernel,
      { concurrency: 4, jitter: 0.05, random: seeded(2) },
    );
    engine.load(watch);
    const read = (...rows: string[]) =>
      engine.observeConnections(sightingsByProbe(watch, parseIpvsConnections([HEADER, ...rows].join('\n'))));
    await clock.advance(100);
    read(conn('C0000201', 'D8B5', '15', 'SYN_RECV'), conn('C0000202', 'D8B6', '15', 'SYN_RECV'));
    await clock.advance(600);
    read(conn('C0000201', 'D8B5', '15', 'SYN_RECV'), conn('C0000202', 'D8B6', '15', 'ESTABLISHED'));
    expect(engine.target(web1)?.health).toBe('up');
    await clock.advance(600);
    read(conn('C0000201', 'D8B5', '15', 'SYN_RECV'), conn('C0000203', 'D8B7', '15', 'SYN_RECV'));
    expect(engine.target(web1)?.health).toBe('up');
    await clock.advance(100);
    read(conn('C0000201', 'D8B5', '15', 'SYN_RECV'), conn('C0000203', 'D8B7', '15', 'CLOSE'));
    expect(engine.target(web1)?.health).toBe('down');
    await engine.settled();
    expect(edits).toEqual([
      expect.objectContaining({ kind: 'weight', destination: expect.objectContaining({ address: '192.168.10.21', weight: 0 }) }),
    ]);
    await clock.advance(1200);
    expect(engine.target(web1)?.health).toBe('up');
    expect(engine.target(web2)?.health).toBe('up');
    await engine.stop();
    expect(edits.at(-1)).toMatchObject({ kind: 'weight', destination: { address: '192.168.10.21', weight: 1 } });
  });
});
