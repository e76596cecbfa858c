// Proof of the rollout's order on a real IPVS kernel (the qemu VM): one guest job (rollout.sh) brings
// test/fixtures/rollout/dr-swap.yaml up as a lab and, while a client keeps requesting the VIP, swaps one DR real
// server for another (web2 out, web3 in) with `lbctl lab apply`, which runs the rollout of `apply --all` (the same
// code and order) on the lab's hosts; then swaps back the same way; then applies the first change again in the naive
// order, the director first and the real servers after. The ordered runs (with a TCP check on the service) fail no
// request and their events show web3 prepared before the director adds it, the director proving it through its VIP
// path at weight 0 before giving it weight, and web2 drained before it loses the VIP; the naive run fails requests.
//
// Why the lab's hosts and not sshd per namespace as test/e2e/ssh/fleet.test.ts does: over SSH, one real server's
// apply is about 30 sessions, 11 s for one host step on this 2-core machine outside the VM, where the namespace
// adapter takes 0.4 s; every process start is several times slower under TCG, so three rollouts over SSH would take
// many minutes of the suite. The rollout, its order and the per-host apply are the same code either way; the SSH
// adapter is proved by fleet.test.ts. On by default, off with LBCTL_VM_TESTS=0.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmResult } from '../../../src/lab/vm/runner.js';
import { itRanEveryStep, runSteppedJob } from './job-outcome.js';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';
if (!ENABLED) console.log('VM e2e tests (rollout) skipped: LBCTL_VM_TESTS=0 was set; unset it to boot the IPVS kernel under qemu');

const JOB = join(import.meta.dirname, 'rollout.sh');
/** The whole job's wall-clock budget, boot included: qemu is killed after it; the job's steps end before it. */
const BUDGET_S = 480;
const VIP = '192.168.20.100';
const WEB2 = '192.168.20.22';
const WEB3 = '192.168.20.23';

/** A request the client made: when it started (ms since the epoch), how long it took, who answered or why it failed, its client port. */
interface Request {
  at: number;
  ms: number;
  server: string | null;
  error: string | null;
  port: number | null;
}

/** One line of `--events`. */
interface Event {
  at: string;
  host: string;
  step: string;
  state: 'start' | 'ready' | 'done' | 'failed';
  detail: string;
  applied?: { action: string; kind: string; key: string; drain?: true; weight?: number }[];
  readiness?: { destination: string; ready: boolean; attempts: number; ms: number }[];
}

type Phase = 'ordered' | 'reset' | 'naive';
const PHASES: Phase[] = ['ordered', 'reset', 'naive'];

describe.skipIf(!ENABLED)('the rollout order on the IPVS kernel, under traffic', () => {
  let results: string;
  let run: VmResult;
  const read = (file: string) =>
    readFile(join(results, file), 'utf8').catch(() => {
      throw new Error(`the job wrote no ${file}: its step did not finish (see "runs every step within its limit")`);
    });
  const requests = async (): Promise<Request[]> =>
    (await read('requests.jsonl'))
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [at, ms, server, error, port = null] = JSON.parse(l) as [number, number, string | null, string | null, number | null];
        return { at, ms, server, error, port };
      })
      .sort((a, b) => a.at - b.at);
  /** When each phase started and ended (ms since the epoch). */
  const phases = async (): Promise<Record<Phase, { start: number; end: number }>> => {
    const out = {} as Record<Phase, { start: number; end: number }>;
    for (const line of (await read('phases.txt')).split('\n').filter(Boolean)) {
      const [phase, edge, ms] = line.split(' ') as [Phase, 'start' | 'end', string];
      out[phase] = { ...out[phase], [edge]: Number(ms) };
    }
    return out;
  };
  const events = async (phase: Phase): Promise<Event[]> =>
    (await read(`${phase}-events.jsonl`))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Event);
  const within = (r: Request, w: { start: number; end: number }) => r.at >= w.start && r.at <= w.end;

  /** What the client saw in each phase, and how long each host's step took, for the record (the tests assert on it). */
  const summary = async (): Promise<string> => {
    const reqs = await requests().catch(() => []);
    const windows = await phases().catch(() => null);
    const lines: string[] = [];
    for (const phase of windows ? PHASES : []) {
      const w = windows![phase];
      const mine = reqs.filter((r) => within(r, w));
      const failed = mine.filter((r) => r.server === null).length;
      const slowest = Math.max(0, ...mine.filter((r) => r.server !== null).map((r) => r.ms));
      lines.push(`  ${phase} ${w.end - w.start} ms: ${mine.length} requests, ${failed} failed, slowest answer ${slowest} ms`);
      const log = await events(phase).catch(() => []);
      const took = log
        .filter((e) => e.state !== 'start')
        .map((e) => {
          const start = log.find((b) => b.host === e.host && b.step === e.step && b.state === 'start')!;
          return `${e.host} ${e.step}${e.state === 'ready' ? ' ready' : ''} ${Date.parse(e.at) - Date.parse(start.at)} ms`;
        });
      lines.push(`    steps: ${took.join(', ')}`);
    }
    return lines.join('\n');
  };

  beforeAll(
    async () => {
      ({ results, run } = await runSteppedJob(JOB, BUDGET_S, 1024));
      console.log(`VM rollout job, per phase:\n${await summary()}`);
    },
    BUDGET_S * 1000 + 60_000,
  );
  afterAll(() => rm(results, { recursive: true, force: true }));

  itRanEveryStep(() => ({ results, run }));

  it('brings the lab up with web1 and web2 behind the director, and every lab apply exits 0', async () => {
    expect({ rc: (await read('up.rc')).trim(), out: await read('up.txt') }).toMatchObject({
      rc: '0',
      out: expect.stringContaining('lab ro is up'),
    });
    for (const phase of PHASES) {
      const rc = (await read(`${phase}.rc`)).trim().split('\n');
      expect(rc, await read(`${phase}.txt`)).toEqual(phase === 'naive' ? ['0', '0'] : ['0']);
    }
    expect(await read('ordered.txt')).toContain('web3: web server on 0.0.0.0:80');
  });

  it('the client kept requesting through all three phases (bounded: it stopped when told), one request at least every 3 s', async () => {
    expect((await read('client.rc')).trim()).toBe('0');
    const w = await phases();
    const starts = (await requests()).map((r) => r.at).filter((at) => at >= w.ordered.start && at <= w.naive.end);
    const gaps = [w.ordered.start, ...starts, w.naive.end].slice(1).map((at, i, all) => at - (i === 0 ? w.ordered.start : all[i - 1]!));
    // Two loops, each starting its next request 50 ms after the last one ended or timed out (2 s).
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3000);
  });

  it.each(['ordered', 'reset'] as const)('%s: zero failed requests, and the swap took effect while the client ran', async (phase) => {
    const w = (await phases())[phase];
    const mine = (await requests()).filter((r) => within(r, w));
    expect(mine.filter((r) => r.server === null)).toEqual([]);
    const [added, removed] = phase === 'ordered' ? ['web3', 'web2'] : ['web2', 'web3'];
    const drained = (await events(phase)).find((e) => e.host === 'director' && e.state === 'done')!;
    const after = mine.filter((r) => r.at > Date.parse(drained.at));
    expect(after.some((r) => r.server === added)).toBe(true);
    expect(after.filter((r) => r.server === removed)).toEqual([]);
  });

  it.each(['ordered', 'reset'] as const)(
    '%s: the events show the new real server ready before the director adds it, proved through its VIP path before it gets weight, and the drain done before the VIP leaves',
    async (phase) => {
      const log = await events(phase);
      const [addedHost, addedIp, removedHost, removedIp] =
        phase === 'ordered' ? ['web3', WEB3, 'web2', WEB2] : ['web2', WEB2, 'web3', WEB3];
      const [added, removed] = [`tcp ${VIP}:80 ${addedIp}:80`, `tcp ${VIP}:80 ${removedIp}:80`];
      const index = (host: string, step: string, state: Event['state']) =>
        log.findIndex((e) => e.host === host && e.step === step && e.state === state);
      const applied = (host: string, step: string, state: Event['state'] = 'done') => log[index(host, step, state)]?.applied ?? [];
      const lo = { action: 'create', kind: 'address', key: `lo ${VIP}/32` };
      expect(applied(addedHost, 'prepare')).toContainEqual(lo);
      // Added at weight 0 (no new connection goes there), proved by the check's two passes in a row, then weighted.
      const ready = log[index('director', 'directors', 'ready')];
      expect(ready?.readiness).toEqual([expect.objectContaining({ destination: added, ready: true, attempts: 2 })]);
      const vipDestinations = (state: Event['state']) =>
        applied('director', 'directors', state).filter((c) => c.key.startsWith(`tcp ${VIP}:80 `));
      expect(vipDestinations('ready')).toEqual([{ action: 'create', kind: 'ipvs-destination', key: added, weight: 0 }]);
      // One batch sets the leaving server's weight 0 and the new one's (in key order); the deletion once drained.
      const done = vipDestinations('done');
      expect(done.slice(0, 2)).toEqual(
        expect.arrayContaining([
          { action: 'update', kind: 'ipvs-destination', key: removed, drain: true, weight: 0 },
          { action: 'update', kind: 'ipvs-destination', key: added, weight: 1 },
        ]),
      );
      expect(done.slice(2)).toEqual([{ action: 'delete', kind: 'ipvs-destination', key: removed }]);
      expect(applied(removedHost, 'finish')).toContainEqual({ ...lo, action: 'delete' });
      expect(index(addedHost, 'prepare', 'done')).toBeGreaterThanOrEqual(0);
      expect(index(addedHost, 'prepare', 'done')).toBeLessThan(index('director', 'directors', 'start'));
      expect(index('director', 'directors', 'ready')).toBeLessThan(index('director', 'directors', 'done'));
      expect(index('director', 'directors', 'done')).toBeLessThan(index(removedHost, 'finish', 'start'));
    },
  );

  it('naive, director first: the director adds web3 before web3 has the VIP, and requests fail', async () => {
    const log = await events('naive');
    const directorDone = log.findIndex((e) => e.host === 'director' && e.step === 'directors' && e.state === 'done');
    const web3Ready = log.findIndex((e) => e.host === 'web3' && e.step === 'prepare' && e.state === 'done');
    expect(log[directorDone]?.applied).toContainEqual(
      expect.objectContaining({ action: 'create', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${WEB3}:80` }),
    );
    expect(directorDone).toBeGreaterThanOrEqual(0);
    expect(directorDone).toBeLessThan(web3Ready);
    const w = (await phases()).naive;
    const failed = (await requests()).filter((r) => within(r, w) && r.server === null);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((r) => r.error))).toEqual(new Set(['no answer within 2000 ms']));
  });

  it('fails no request outside the naive run', async () => {
    const windows = await phases();
    const failed = (await requests()).filter((r) => !within(r, windows.naive) && r.server === null);
    expect(failed, await explain(failed, windows)).toEqual([]);
  });

  /** Where each failed request lies among the phases, and the director's connection-table lines of its client port at the job's end. */
  const explain = async (failed: Request[], windows: Record<Phase, { start: number; end: number }>): Promise<string> => {
    const conns = (await read('ipvs-conns-end.txt').catch(() => '')).split('\n');
    const edges = PHASES.flatMap((p) => [[`${p} start`, windows[p].start] as const, [`${p} end`, windows[p].end] as const]);
    return failed
      .map((r) => {
        const [edge, at] = edges.reduce((a, b) => (Math.abs(r.at - b[1]) < Math.abs(r.at - a[1]) ? b : a));
        const lines = r.port === null ? [] : conns.filter((l) => l.includes(`:${r.port} `));
        return `request at ${edge} ${r.at - at >= 0 ? '+' : ''}${r.at - at} ms, port ${r.port}: ${r.error}; director's connections:\n${lines.join('\n') || '  none'}`;
      })
      .join('\n');
  };
});
