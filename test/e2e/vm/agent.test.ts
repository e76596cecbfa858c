// Proof on a real IPVS kernel (the qemu VM) that lbctl agent, as `lbctl lab up` starts it on the director, moves
// traffic: one guest job (agent.sh) builds the DR lab (topologies/dr-web.yaml as it is) and then the NAT lab
// (topologies/nat-port-mapping.yaml with a sorry server, onFailure remove, quorum and hysteresis), kills and
// restarts real servers' web servers under a client loop through the VIP, and records the director's IPVS table
// every time it changes. Kill and restart run in both labs; the flap in the DR lab; fail-open, the sorry server,
// quorum and hysteresis in the NAT lab. Prints kill → detection → kernel change per case.
// On by default, off with LBCTL_VM_TESTS=0; LBCTL_AGENT_LABS="dr" or "nat" runs one lab; LBCTL_VM_KEEP=1 keeps what
// the job recorded (its folder is printed). Needs what modes.test.ts needs.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SCHEDULE } from '../../../src/agent/daemon.js';
import type { VmResult } from '../../../src/lab/vm/runner.js';
import { CHECK_DEFAULTS } from '../../../src/topology/health.js';
import {
  firstTable,
  readEvents,
  readMarks,
  readRequests,
  readTables,
  savedTable,
  showTable,
  startedWithin,
  tableAt,
  weightIn,
  type AgentEvent,
  type Request,
  type TableAt,
} from './agent-timeline.js';
import { expectJobCompleted, jobEvidence, readSteps, runSteppedJob, STEP_KILLED, STEP_NOT_STARTED } from './job-outcome.js';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';
if (!ENABLED) console.log('VM e2e tests (agent) skipped: LBCTL_VM_TESTS=0 was set; unset it to boot the IPVS kernel under qemu');

const ROOT = join(import.meta.dirname, '../../..');
const JOB = join(import.meta.dirname, 'agent.sh');
const LABS = (process.env.LBCTL_AGENT_LABS ?? 'dr nat').split(/\s+/).filter(Boolean);
/** The whole job's wall-clock budget, boot included: qemu is killed after it; the job's steps end before it. */
const BUDGET_S = 480;

const DR_WEB = 'TCP 192.168.10.100:80';
const NAT_WEB = 'TCP 203.0.113.10:80';
const SORRY = '10.10.0.99:8080';

/** topologies/nat-port-mapping.yaml with a sorry server (its own host) and the pool policy the job exercises. */
async function natTopology(): Promise<string> {
  const doc = parseDocument(await readFile(join(ROOT, 'topologies/nat-port-mapping.yaml'), 'utf8'));
  doc.setIn(
    ['hosts', 'sorry'],
    doc.createNode({
      roles: ['real-server'],
      interfaces: { eth0: { network: 'private', address: '10.10.0.99/24' } },
      gateway: '10.10.0.1',
    }),
  );
  doc.setIn(['services', 'web', 'sorryServer'], 'sorry:8080');
  doc.setIn(['services', 'web', 'onFailure'], 'remove');
  // weights 3/2/1: quorum lost below 3 - 1 = 2, regained at 3 + 1 = 4
  doc.setIn(['services', 'web', 'quorum'], 3);
  doc.setIn(['services', 'web', 'hysteresis'], 1);
  return doc.toString();
}

/** What the job recorded of one lab. */
interface LabRecord {
  upRc: number;
  up: string;
  marks: Map<string, number>;
  tables: TableAt[];
  requests: Request[];
  events: AgentEvent[];
  /** `ipvsadm-save -n` of the director once the agent logged its start, and after lab up ('' when not taken). */
  saved: { agentStart: string; up: string };
}

/** Where the director's table stood at the start, for failure messages: as ipvsadm-save -n listed it, and as the watch read it. */
function kernelEvidence(lab: string, r: LabRecord): string {
  const listed = (text: string) => {
    try {
      return text === '' ? '  (not taken)' : showTable(savedTable(text));
    } catch {
      return text;
    }
  };
  return [
    `${lab}: ipvsadm-save -n once the agent logged its start:`,
    listed(r.saved.agentStart),
    'ipvsadm-save -n after lab up:',
    listed(r.saved.up),
    `the watch's first table (/proc/PID/net/ip_vs${r.tables[0] ? ` at ${r.tables[0].at}` : ''}):`,
    showTable(r.tables[0]?.services),
  ].join('\n');
}

/** The agent's first event of `type` after `from` matching `fields`. */
function eventAfter(events: readonly AgentEvent[], from: number, type: string, fields: (e: AgentEvent) => boolean) {
  return events.find((e) => e.at >= from && e.type === type && fields(e));
}
const healthOf = (target: string, health: 'up' | 'down') => (e: AgentEvent) => e.target === target && e.health === health;
const editOf = (destination: string) => (e: AgentEvent) => {
  const d = e.destination as { address?: string; port?: number } | undefined;
  return `${d?.address}:${d?.port}` === destination;
};
const ms = (n: number | undefined) => (n === undefined ? '?' : `${n} ms`);

/** Answers of requests, counted per answer ("web1": 12, "ECONNREFUSED": 2). */
function tally(requests: readonly Request[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of requests) out[r.answer] = (out[r.answer] ?? 0) + 1;
  return out;
}

describe.skipIf(!ENABLED)('lbctl agent on the IPVS kernel (qemu VM): HTTP checks move traffic', () => {
  let results: string;
  let run: VmResult;
  const labs = new Map<string, LabRecord>();
  const figures: string[] = [];
  const mark = (lab: string, name: string) => {
    const at = labs.get(lab)?.marks.get(name);
    if (at === undefined) throw new Error(`${lab}: the job did not reach "${name}" (see "runs every step within its limit")`);
    return at;
  };

  beforeAll(
    async () => {
      ({ results, run } = await runSteppedJob(JOB, BUDGET_S, 2048, {
        env: { LBCTL_AGENT_LABS: LABS.join(' ') },
        prepare: async (dir) => writeFile(join(dir, 'nat.yaml'), await natTopology()),
      }));
      for (const lab of LABS) {
        const dir = join(results, lab);
        labs.set(lab, {
          upRc: Number((await readFile(join(dir, 'up.rc'), 'utf8').catch(() => '-1')).trim()),
          up: await readFile(join(dir, 'up.txt'), 'utf8').catch(() => ''),
          marks: await readMarks(join(dir, 'marks.txt')),
          tables: await readTables(join(dir, 'ipvs.txt')),
          requests: await readRequests(join(dir, 'client.txt')),
          events: await readEvents(join(dir, 'events.jsonl')),
          saved: {
            agentStart: await readFile(join(dir, 'ipvs-agent-start.txt'), 'utf8').catch(() => ''),
            up: await readFile(join(dir, 'ipvs-up.txt'), 'utf8').catch(() => ''),
          },
        });
      }
    },
    BUDGET_S * 1000 + 60_000,
  );
  afterAll(async () => {
    if (figures.length > 0) console.log(`lbctl agent on the IPVS kernel:\n${figures.join('\n')}`);
    if (process.env.LBCTL_VM_KEEP === '1') console.log(`kept ${results}`);
    else await rm(results, { recursive: true, force: true });
  });

  it('runs the job to completion', async () => expectJobCompleted(run, await jobEvidence(results)));

  it('runs every step within its limit, and every wait of the job ended in what it waited for', async () => {
    const cut = (await readSteps(results)).filter((s) => s.status === STEP_KILLED || s.status === STEP_NOT_STARTED);
    expect(cut, await jobEvidence(results)).toEqual([]);
    // A wait that ended otherwise shows the agent's events and the kernel's table up to then (one CI run saw app1
    // out of the NAT pool from the start, cause not found).
    for (const [lab, record] of labs) {
      const missed = [...record.marks.keys()].filter((m) => m.startsWith('not-'));
      const until = missed.length === 0 ? 0 : record.marks.get(missed[0]!)!;
      const evidence = () =>
        [
          `${lab}: events up to ${missed[0]}:`,
          ...record.events.filter((e) => e.at <= until).map((e) => JSON.stringify(e)),
          `table then: ${JSON.stringify([...(tableAt(record.tables, until)?.services ?? [])].map(([k, v]) => [k, [...v]]))}`,
          kernelEvidence(lab, record),
        ].join('\n');
      expect(missed, missed.length === 0 ? lab : evidence()).toEqual([]);
    }
  });

  /**
   * A real server's web server killed and started again: out of the pool (weight 0 or removed) after detection,
   * no request failing after that, back after rise. `out` tells the table it is out.
   */
  function killAndRestart(lab: string, service: string, host: string, destination: string, weight: number, out: 'weight 0' | 'removed') {
    it('lbctl lab up builds the lab and starts the agent on the director', () => {
      const r = labs.get(lab)!;
      expect({ rc: r.upRc, up: r.up }).toMatchObject({ rc: 0, up: expect.stringMatching(/^director: lbctl agent pid \d+/m) });
    });

    // The job reads the table through /proc (no process per read); ipvsadm-save -n asks the kernel over netlink. Read
    // line by line, /proc lost whole services of the NAT lab's director while the DR lab's held some (agent-lib.sh).
    it('the table watch reads every virtual service that ipvsadm-save -n lists after lab up, and no other', () => {
      const r = labs.get(lab)!;
      const services = (t: TableAt['services'] | undefined) => [...(t?.keys() ?? [])].sort();
      expect(services(r.tables[0]?.services), kernelEvidence(lab, r)).toEqual(services(savedTable(r.saved.up)));
    });

    const isOut = (t: TableAt) =>
      out === 'weight 0' ? weightIn(t, service, destination) === 0 : weightIn(t, service, destination) === undefined;

    it(`${host}'s httpd killed: ${destination} ${out} in the kernel after the check's fall, and no request fails after that`, () => {
      const r = labs.get(lab)!;
      const kill = mark(lab, `kill-${host}`);
      const start = mark(lab, `start-${host}`);
      const before = tableAt(r.tables, kill);
      expect(weightIn(before, service, destination), kernelEvidence(lab, r)).toBe(weight);
      const changed = firstTable(r.tables, kill, isOut, start);
      expect(changed, `no table after the kill has ${destination} ${out}`).toBeDefined();
      const down = eventAfter(r.events, kill, 'health', healthOf(`http ${destination}`, 'down'));
      const edit = eventAfter(r.events, kill, 'edit', editOf(destination));
      expect(down, 'the agent logged no health-down').toBeDefined();
      expect(edit?.kind).toBe(out === 'weight 0' ? 'weight' : 'remove');
      const after = startedWithin(r.requests, changed!.at, start);
      expect(after.length, 'requests after the change').toBeGreaterThanOrEqual(5);
      expect(after.filter((q) => !q.ok || q.answer === host)).toEqual([]);
      expect(startedWithin(r.requests, 0, kill).filter((q) => !q.ok)).toEqual([]);
      const window = startedWithin(r.requests, kill, changed!.at);
      figures.push(
        `  ${lab}: kill ${host} → health down ${ms(down && down.at - kill)} → ${String(edit?.kind)} edited ${ms(edit && edit.at - kill)}` +
          ` → seen in the kernel ${ms(changed!.at - kill)} (detection to kernel: ${ms(down && changed!.at - down.at)});` +
          ` requests in between: ${window.length}, failed ${window.filter((q) => !q.ok).length}; after: ${after.length}, failed 0`,
      );
    });

    it(`${host}'s httpd started again: back at weight ${weight} after the check's rise, and answering`, () => {
      const r = labs.get(lab)!;
      const start = mark(lab, `start-${host}`);
      const back = mark(lab, `back-${host}`);
      const returned = firstTable(r.tables, start, (t) => weightIn(t, service, destination) === weight, back);
      expect(returned, `no table after the start has ${destination} at weight ${weight}`).toBeDefined();
      const up = eventAfter(r.events, start, 'health', healthOf(`http ${destination}`, 'up'));
      expect(up).toBeDefined();
      expect(up!.at).toBeLessThanOrEqual(returned!.at);
      const requests = startedWithin(r.requests, start, back);
      expect(requests.filter((q) => !q.ok)).toEqual([]);
      expect(startedWithin(r.requests, returned!.at, back).some((q) => q.answer === host)).toBe(true);
      figures.push(
        `  ${lab}: start ${host} → health up ${ms(up!.at - start)} → back in the kernel ${ms(returned!.at - start)} (rise ${CHECK_DEFAULTS.rise} at ${CHECK_DEFAULTS.intervalMs} ms)`,
      );
    });
  }

  describe.runIf(LABS.includes('dr'))('DR lab: topologies/dr-web.yaml (http check, onFailure weight0)', () => {
    killAndRestart('dr', DR_WEB, 'web1', '192.168.10.21:80', 3, 'weight 0');

    it('web2 flapping every 300 ms for 6 s: at most one kernel change per rise-or-fall run of probes, then back at weight 2', () => {
      const r = labs.get('dr')!;
      const from = mark('dr', 'flap-start');
      const to = mark('dr', 'flap-settled');
      const changes = r.tables
        .filter((t) => t.at > from && t.at <= to)
        .map((t) => weightIn(t, DR_WEB, '192.168.10.22:80'))
        .filter((w, i, all) => w !== (i === 0 ? weightIn(tableAt(r.tables, from), DR_WEB, '192.168.10.22:80') : all[i - 1]));
      const healthChanges = r.events.filter(
        (e) => e.at > from && e.at <= to && e.type === 'health' && e.target === 'http 192.168.10.22:80',
      );
      // a change of health needs min(rise, fall) probes in a row against it, each at least interval × (1 - jitter) apart
      const runMs = Math.min(CHECK_DEFAULTS.rise, CHECK_DEFAULTS.fall) * CHECK_DEFAULTS.intervalMs * (1 - AGENT_SCHEDULE.jitter);
      const bound = Math.floor((to - from) / runMs) + 1;
      figures.push(
        `  dr: web2 flapping for ${to - from} ms (until back and settled): ${healthChanges.length} health changes, ${changes.length} kernel changes (bound ${bound}); client: ${JSON.stringify(tally(startedWithin(r.requests, from, to)))}`,
      );
      expect(healthChanges.length, 'the checks saw the flap').toBeGreaterThan(0);
      expect(changes.length).toBeLessThanOrEqual(bound);
      expect(changes.length).toBe(
        r.events.filter((e) => e.at > from && e.at <= to && e.type === 'edit' && editOf('192.168.10.22:80')(e)).length,
      );
      expect(weightIn(tableAt(r.tables, to), DR_WEB, '192.168.10.22:80')).toBe(2);
    });
  });

  describe.runIf(LABS.includes('nat'))(
    'NAT lab: nat-port-mapping.yaml + sorry server, onFailure remove, failOpen 34, quorum 3, hysteresis 1',
    () => {
      killAndRestart('nat', NAT_WEB, 'app1', '10.10.0.11:8080', 3, 'removed');
      const members = (t: TableAt | undefined) => Object.fromEntries(t?.services.get(NAT_WEB) ?? []);
      const pool = (lab: LabRecord, at: number) => members(tableAt(lab.tables, at));

      it('fail-open: app3 then app2 down takes out app3 only (34 % of three is one); app2 stays in at weight 2', () => {
        const r = labs.get('nat')!;
        const held = mark('nat', 'held-app2');
        const down = eventAfter(r.events, mark('nat', 'kill-app2'), 'health', healthOf('http 10.10.0.12:8080', 'down'));
        expect(down?.at).toBeLessThan(held);
        // from app2's failure on, it stays in at its weight while app3 is out
        const since = [tableAt(r.tables, down!.at), ...r.tables.filter((t) => t.at > down!.at && t.at <= held)];
        expect(since.map((t) => members(t))).toEqual(since.map(() => ({ '10.10.0.11:8080': 3, '10.10.0.12:8080': 2 })));
        expect(r.events.filter((e) => e.at >= down!.at && e.at <= held && e.type === 'edit' && editOf('10.10.0.12:8080')(e))).toEqual([]);
      });

      it('all down: quorum lost, the sorry server in and every real server out; the sorry server answers every request', () => {
        const r = labs.get('nat')!;
        const kill = mark('nat', 'kill-last-app1');
        const next = mark('nat', 'start-app3-app2');
        const sorry = firstTable(r.tables, kill, (t) => Object.keys(members(t)).join() === SORRY, next);
        expect(sorry, `no table after the kill has only the sorry server: ${JSON.stringify(pool(r, next))}`).toBeDefined();
        expect(eventAfter(r.events, kill, 'decision', (e) => e.quorum === 'down')).toBeDefined();
        const answered = startedWithin(r.requests, sorry!.at, next);
        expect(answered.length).toBeGreaterThanOrEqual(5);
        expect(tally(answered)).toEqual({ sorry: answered.length });
        figures.push(`  nat: kill the last real server → the sorry server alone in the kernel ${ms(sorry!.at - kill)}`);
      });

      it('app3 and app2 back (healthy weight 3, under quorum + hysteresis = 4): both in, and the sorry server stays', () => {
        const r = labs.get('nat')!;
        const start = mark('nat', 'start-app3-app2');
        const next = mark('nat', 'start-last-app1');
        const both = firstTable(r.tables, start, (t) => members(t)['10.10.0.12:8080'] === 2 && members(t)['10.10.0.13:8080'] === 1, next);
        expect(both, 'no table with app2 and app3 back').toBeDefined();
        expect(members(both)[SORRY]).toBe(1);
        expect(r.tables.filter((t) => t.at > start && t.at < next).every((t) => members(t)[SORRY] === 1)).toBe(true);
        expect(r.events.filter((e) => e.at >= start && e.at <= next && e.type === 'decision')).toEqual([]);
      });

      it('app1 back (healthy weight 6): quorum regained, the sorry server out, and no request answered by it after that', () => {
        const r = labs.get('nat')!;
        const start = mark('nat', 'start-last-app1');
        const end = mark('nat', 'quorum-back');
        const out = firstTable(r.tables, start, (t) => members(t)[SORRY] === undefined, end);
        expect(out).toBeDefined();
        expect(eventAfter(r.events, start, 'decision', (e) => e.quorum === 'up')).toBeDefined();
        // the whole pool back at the topology's weights, the sorry server out (the edits raise first: app1, then the sorry server goes)
        expect(members(out)).toEqual({ '10.10.0.11:8080': 3, '10.10.0.12:8080': 2, '10.10.0.13:8080': 1 });
        const after = startedWithin(r.requests, out!.at, end);
        expect(after.filter((q) => !q.ok || q.answer === 'sorry')).toEqual([]);
        figures.push(`  nat: start app1 (quorum back) → the sorry server out of the kernel ${ms(out!.at - start)}`);
      });
    },
  );
});
