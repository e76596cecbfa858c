// The director HA job (ha.sh) run in the IPVS VM and read back: shared by its e2e test (what must hold on any
// machine) and `npm run bench:ha` (the failover-time targets, on a quiet machine).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { VmResult } from '../../../src/lab/vm/runner.js';
import { runSteppedJob } from './stepped-job.js';

/** The whole job's wall-clock budget, boot included: two labs up (≤ 240 s each), three measurements (≤ 180 s), down. */
export const HA_BUDGET_S = 1500;

/** What ha-client.mjs measured for one VIP. */
export interface Measured {
  established: number;
  survived: number;
  share: number;
  newAttempts: number;
  newFailed: number;
  recoveryMs: number | null;
  working: boolean;
  lost: { port: number; server: string; why: string }[];
}

/** The labs the job brings up (each records up.rc and up.txt in its directory). */
export const HA_LABS = ['ecmp', 'vrrp'] as const;

/** The measurements (each a directory of results) and what each shows per VIP. */
export const HA_RUNS = {
  ecmp: { '10.40.0.100': 'ECMP, mh: director d1 killed', '10.40.0.101': 'ECMP, wrr: director d1 killed' },
  vsync: { '10.50.0.100': "VRRP with sync daemons: the master's link down" },
  vnosync: { '10.50.0.100': "VRRP without sync daemons: the master's link down" },
} as const;
/** One measurement of the job. */
export type HaRunName = keyof typeof HA_RUNS;

/** A finished run of the job: the VM's outcome and readers of what each lab recorded. */
export interface HaRun {
  run: VmResult;
  results: string;
  /** A file the job wrote in a lab's or a measurement's directory. */
  read(dir: string, file: string): Promise<string>;
  measured(run: HaRunName, vip: string): Promise<Measured>;
  /** One line per lab and VIP: connections kept, new connections' failures and recovery time (or why none). */
  figures(): Promise<string>;
  remove(): Promise<void>;
}

/** Runs the job (`job`: the path of ha.sh) in the VM, the labs of LBCTL_HA_LABS (default both), and reads its results. */
export async function runHaJob(job: string): Promise<HaRun> {
  const labs = process.env.LBCTL_HA_LABS;
  const { results, run } = await runSteppedJob(job, HA_BUDGET_S, 2048, { env: labs ? { LBCTL_HA_LABS: labs } : {} });
  const read = (dir: string, file: string) => readFile(join(results, dir, file), 'utf8');
  const measured = async (name: HaRunName, vip: string) => {
    const all = JSON.parse(await read(name, 'client.json')) as Record<string, Measured>;
    const m = all[vip];
    if (!m) throw new Error(`${name}/client.json has no figures for ${vip}`);
    return m;
  };
  const line = async (name: HaRunName, vip: string, title: string) => {
    const m = await measured(name, vip).catch((e: Error) => e.message);
    if (typeof m === 'string') return `  ${title}: not measured (${m})`;
    const kept = `${m.survived}/${m.established} connections kept (${(100 * m.share).toFixed(1)} %)`;
    const lost = m.lost.length === 0 ? '' : `, lost: ${summarise(m.lost.map((l) => `${l.server} ${l.why}`))}`;
    const recovery = m.recoveryMs === null ? 'not within the watch' : `${m.recoveryMs} ms`;
    return `  ${title}: ${kept}${lost}; new connections: ${m.newFailed}/${m.newAttempts} not answered within 1 s, steadily answered so again after ${recovery}`;
  };
  const figures = async () => {
    const lines = Object.entries(HA_RUNS).flatMap(([name, vips]) =>
      Object.entries(vips).map(([vip, title]) => line(name as HaRunName, vip, title)),
    );
    return (await Promise.all(lines)).join('\n');
  };
  return { run, results, read, measured, figures, remove: () => rm(results, { recursive: true, force: true }) };
}

/** "a ×3, b" from a list with repeats. */
function summarise(items: string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([i, n]) => (n === 1 ? i : `${i} ×${n}`)).join(', ');
}
