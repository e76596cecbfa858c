// In-band failure counting, table-driven: readings of the connection table at given times, and when the rule trips.
import { describe, expect, it } from 'vitest';
import { observeConnections, startInBand, type ConnPhase, type InBandRule } from '../../src/health/in-band.js';

const RULE: InBandRule = { failures: 3, windowMs: 10_000, unansweredMs: 2000 };

/** A reading: at `at` ms, connections as "key:phase" (o opening, e established, r reset). */
type Reading = [at: number, conns: string];

const PHASES: Record<string, ConnPhase> = { o: 'opening', e: 'established', r: 'reset' };

function run(readings: Reading[], rule = RULE): { failed: string[][]; downAt: number | undefined } {
  let state = startInBand();
  const failed: string[][] = [];
  let downAt: number | undefined;
  for (const [at, conns] of readings) {
    const seen = conns
      .split(' ')
      .filter(Boolean)
      .map((c) => ({ key: c.split(':')[0]!, phase: PHASES[c.split(':')[1]!]! }));
    const r = observeConnections(state, seen, rule, at);
    state = r.next;
    failed.push(r.failed);
    if (r.down && downAt === undefined) downAt = at;
  }
  return { failed, downAt };
}

describe('in-band failure counting', () => {
  const cases: { name: string; readings: Reading[]; failed: string[][]; downAt?: number; rule?: InBandRule }[] = [
    {
      name: 'connections answered in time are no failures',
      readings: [
        [0, 'a:o b:o'],
        [1000, 'a:e b:e c:o'],
        [2000, 'a:e c:e'],
        [3000, ''],
      ],
      failed: [[], [], [], []],
    },
    {
      name: 'a connection still opening after unansweredMs is one failure, counted once however long it stays',
      readings: [
        [0, 'a:o'],
        [1000, 'a:o'],
        [2000, 'a:o'],
        [3000, 'a:o'],
        [9000, 'a:o'],
      ],
      failed: [[], [], ['a'], [], []],
    },
    {
      name: 'opening, then reset before established: the server refused it (counted at once)',
      readings: [
        [0, 'a:o b:o'],
        [500, 'a:r b:e'],
        [1000, 'a:r'],
      ],
      failed: [[], ['a'], []],
    },
    {
      name: 'a reset never seen opening is not counted (it may have been established between readings)',
      readings: [
        [0, 'a:r'],
        [500, 'a:r'],
      ],
      failed: [[], []],
    },
    {
      name: 'a late connection later reset is not counted twice',
      readings: [
        [0, 'a:o'],
        [2000, 'a:o'],
        [2500, 'a:r'],
      ],
      failed: [[], ['a'], []],
    },
    {
      name: 'three failures within the window trip the rule',
      readings: [
        [0, 'a:o b:o c:o'],
        [500, 'a:r b:o c:o'],
        [2000, 'b:o c:o'],
      ],
      failed: [[], ['a'], ['b', 'c']],
      downAt: 2000,
    },
    {
      name: 'failures older than the window no longer count',
      readings: [
        [0, 'a:o'],
        [100, 'a:r'],
        [5000, 'b:o'],
        [5100, 'b:r'],
        [10_100, 'c:o'],
        [10_200, 'c:r'],
      ],
      failed: [[], ['a'], [], ['b'], [], ['c']],
    },
    {
      name: 'failures: 1 trips on the first',
      rule: { failures: 1, windowMs: 1000, unansweredMs: 500 },
      readings: [
        [0, 'a:o'],
        [600, 'a:o'],
      ],
      failed: [[], ['a']],
      downAt: 600,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.readings, c.rule);
      expect(r.failed).toEqual(c.failed);
      expect(r.downAt).toBe(c.downAt);
    });
  }
});
