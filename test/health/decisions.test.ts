import { describe, expect, it } from 'vitest';
import { decideAnycast, startAnnouncement, type Announcement } from '../../src/health/anycast.js';
import { decidePool, type Member } from '../../src/health/pool.js';
import { observe, startRiseFall, type RiseFall } from '../../src/health/rise-fall.js';
import type { PoolPolicy } from '../../src/topology/types.js';

describe('rise and fall', () => {
  it.each([
    ['up stays up on one failure (fall 2)', 'up', [false], 'up'],
    ['up goes down on two failures', 'up', [false, false], 'down'],
    ['a pass between failures resets the streak', 'up', [false, true, false], 'up'],
    ['down needs rise passes', 'down', [true], 'down'],
    ['down comes up on two passes', 'down', [true, true], 'up'],
    ['down, then up, then a failure: still up', 'down', [true, true, false], 'up'],
  ] as const)('%s', (_name, start, results, expected) => {
    let s: RiseFall = startRiseFall(start, 0);
    results.forEach((passed, i) => (s = observe(s, passed, { rise: 2, fall: 2 }, i + 1)));
    expect(s.health).toBe(expected);
  });

  it('records when the health changed', () => {
    let s = startRiseFall('up', 0);
    s = observe(s, false, { rise: 1, fall: 2 }, 10);
    s = observe(s, false, { rise: 1, fall: 2 }, 20);
    expect(s).toEqual({ health: 'down', streak: 0, since: 20 });
  });
});

const policy = (p: Partial<PoolPolicy> = {}): PoolPolicy => ({ onFailure: 'weight0', quorum: 0, hysteresis: 0, failOpenPercent: 50, ...p });
const members = (...healths: ('up' | 'down')[]): Member[] =>
  healths.map((health, i) => ({ key: `rs${i + 1}`, weight: 1, health, since: i }));
const weights = (m: Member[], p: PoolPolicy, quorumWasUp = true) => decidePool(m, p, quorumWasUp).members.map((x) => x.weight);

describe('pool decisions', () => {
  it.each([
    ['one of four down: weight 0', members('up', 'down', 'up', 'up'), policy(), [1, 0, 1, 1]],
    ['onFailure remove takes it out of the table', members('up', 'down', 'up', 'up'), policy({ onFailure: 'remove' }), [1, null, 1, 1]],
    ['fail-open 50 %: three of four down, two go out (the first to fail)', members('down', 'down', 'down', 'up'), policy(), [0, 0, 1, 1]],
    ['fail-open 0 %: nothing goes out', members('down', 'up'), policy({ failOpenPercent: 0 }), [1, 1]],
    ['fail-open 100 %: everything may go out', members('down', 'down'), policy({ failOpenPercent: 100 }), [0, 0]],
    [
      'all down with a sorry server: all out (the sorry server takes the traffic)',
      members('down', 'down', 'down'),
      policy({ sorryServer: { address: '10.0.0.9', port: 80 } }),
      [0, 0, 0],
    ],
  ] as const)('%s', (_name, m, p, expected) => {
    expect(weights([...m], p)).toEqual(expected);
  });

  it('takes out the servers that failed first, whatever their order in the pool', () => {
    const m: Member[] = [
      { key: 'a', weight: 1, health: 'down', since: 30 },
      { key: 'b', weight: 1, health: 'down', since: 10 },
      { key: 'c', weight: 1, health: 'up', since: 0 },
      { key: 'd', weight: 1, health: 'down', since: 20 },
    ];
    expect(decidePool(m, policy(), true).members).toEqual([
      { key: 'a', weight: 1, heldIn: true },
      { key: 'b', weight: 0, heldIn: false },
      { key: 'c', weight: 1, heldIn: false },
      { key: 'd', weight: 0, heldIn: false },
    ]);
  });

  it('adds the sorry server only when no real server is healthy', () => {
    const p = policy({ sorryServer: { address: '10.0.0.9', port: 80 } });
    expect(decidePool(members('down', 'down'), p, true).sorry).toBe(true);
    expect(decidePool(members('down', 'up'), p, true).sorry).toBe(false);
    expect(decidePool(members('down', 'down'), policy(), true).sorry).toBe(false);
  });

  it.each([
    // quorum 3, hysteresis 1: lost below 2, regained at 4
    ['up stays up at quorum - hysteresis', true, 2, true],
    ['up goes down below quorum - hysteresis', true, 1, false],
    ['down stays down at quorum', false, 3, false],
    ['down comes up at quorum + hysteresis', false, 4, true],
  ] as const)('quorum with hysteresis: %s', (_name, wasUp, healthy, expected) => {
    const m: Member[] = Array.from({ length: 5 }, (_, i) => ({ key: `rs${i}`, weight: 1, health: i < healthy ? 'up' : 'down', since: i }));
    const p = policy({ quorum: 3, hysteresis: 1, sorryServer: { address: '10.0.0.9', port: 80 } });
    const d = decidePool(m, p, wasUp);
    expect(d.quorumUp).toBe(expected);
    expect(d.sorry).toBe(!expected);
  });
});

const hold = { holdDownMs: 2000, holdDownMaxMs: 16000 };

/** Runs a sequence of (time, health, others) through decideAnycast; returns the actions taken. */
function run(steps: [number, 'up' | 'down', number][], start: Announcement = startAnnouncement(hold, 0)) {
  let state = start;
  let healthSince = 0;
  let last: 'up' | 'down' = 'up';
  return steps.map(([now, health, others]) => {
    if (health !== last) healthSince = now;
    last = health;
    const d = decideAnycast(state, health, healthSince, others, hold, now);
    state = d.next;
    return `${now}:${d.action ?? '-'}${d.action === 'withdraw' ? `(hold ${d.next.holdDownMs})` : ''}`;
  });
}

describe('anycast announcement', () => {
  it('withdraws on failure when others announce, and announces again after the hold-down', () => {
    expect(
      run([
        [100, 'down', 2],
        [200, 'up', 2],
        [2100, 'up', 2],
        [2200, 'up', 2],
      ]),
    ).toEqual(['100:withdraw(hold 2000)', '200:-', '2100:-', '2200:announce']);
  });

  it('never withdraws the last announcer, and announces again when it becomes the last', () => {
    expect(
      run([
        [100, 'down', 0],
        [200, 'down', 1],
        [300, 'down', 0],
      ]),
    ).toEqual(['100:-', '200:withdraw(hold 2000)', '300:announce']);
  });

  it('having announced as the last node, stays while failing even when others come back, until its check passes', () => {
    expect(
      run([
        [100, 'down', 1],
        [200, 'down', 0],
        [300, 'down', 2],
        [400, 'up', 2],
        [500, 'down', 2],
      ]),
    ).toEqual(['100:withdraw(hold 2000)', '200:announce', '300:-', '400:-', '500:withdraw(hold 4000)']);
  });

  it('doubles the hold-down per flap, up to the cap, and starts again after a stable spell', () => {
    const actions = run([
      [100, 'down', 2],
      [200, 'up', 2],
      [2200, 'up', 2], // withdrawn, back after 2 s
      [2300, 'down', 2],
      [2400, 'up', 2],
      [6400, 'up', 2], // a flap: 4 s
      [6500, 'down', 2],
      [6600, 'up', 2],
      [14600, 'up', 2], // 8 s
      [14700, 'down', 2],
      [14800, 'up', 2],
      [30800, 'up', 2], // 16 s, the cap
      [30900, 'down', 2],
      [31000, 'up', 2],
      [47000, 'up', 2], // still 16 s
      [70000, 'down', 2], // stable for longer than the cap: 2 s again
    ]);
    expect(actions.filter((a) => a !== `${a.split(':')[0]}:-`)).toEqual([
      '100:withdraw(hold 2000)',
      '2200:announce',
      '2300:withdraw(hold 4000)',
      '6400:announce',
      '6500:withdraw(hold 8000)',
      '14600:announce',
      '14700:withdraw(hold 16000)',
      '30800:announce',
      '30900:withdraw(hold 16000)',
      '47000:announce',
      '70000:withdraw(hold 2000)',
    ]);
  });
});
