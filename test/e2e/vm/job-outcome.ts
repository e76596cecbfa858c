// Shared by the VM e2e tests: running a guest job made of steps (job-steps.sh), and how it ended, with its stderr,
// console tail and step record on failure.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { runInVm, type VmResult } from '../../../src/lab/vm/runner.js';

/** One step a guest job recorded in steps.txt: its name, exit status (124 killed at its limit, 125 not started) and duration. */
export interface JobStep {
  name: string;
  status: number;
  ms: number;
}

/** Exit status of a step killed at its limit (timeout's). */
export const STEP_KILLED = 124;
/** Exit status recorded for a step not started: too little of the job's budget was left. */
export const STEP_NOT_STARTED = 125;

/** The steps the job in `resultsDir` finished, in order (none when it recorded none). */
export async function readSteps(resultsDir: string): Promise<JobStep[]> {
  const text = await readFile(join(resultsDir, 'steps.txt'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', status = '', ms = ''] = line.split(' ');
      return { name, status: Number(status), ms: Number(ms) };
    });
}

/** What the job left to explain itself: its steps (the last one finished named) and the process snapshots taken before a step was killed. */
export async function jobEvidence(resultsDir: string): Promise<string> {
  const steps = await readSteps(resultsDir);
  const snapshots = (await readdir(resultsDir).catch(() => [] as string[])).filter((f) => /^ps-.*\.txt$/.test(f)).sort();
  const texts = await Promise.all(snapshots.map(async (f) => `${f}:\n${await readFile(join(resultsDir, f), 'utf8')}`));
  return [
    `last step finished: ${steps.at(-1)?.name ?? 'none'}`,
    `steps (name, exit status, ms):\n${steps.map((s) => `  ${s.name} ${s.status} ${s.ms}`).join('\n')}`,
    ...texts,
  ].join('\n');
}

/** Asserts the guest job exited 0 (no timeout, no panic), showing its stderr, the console's end and `evidence` otherwise. */
export function expectJobCompleted(run: VmResult, evidence = ''): void {
  expect(
    { exitCode: run.exitCode, timedOut: run.timedOut, guestPanicked: run.guestPanicked },
    `stderr:\n${run.stderr}\nconsole:\n${run.serialLog.slice(-3000)}\n${evidence}`,
  ).toEqual({ exitCode: 0, timedOut: false, guestPanicked: false });
}

/** `ipvsadm -Ln` destination lines of one service: address:port → [weight, active, inactive]. */
export function destinations(listing: string, service: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let inside = false;
  for (const line of listing.split('\n')) {
    if (/^(TCP|UDP|SCTP|FWM)/.test(line)) inside = line.split(/\s+/)[1] === service;
    const m = /^\s+-> (\S+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (inside && m) out.set(m[1]!, [Number(m[2]), Number(m[3]), Number(m[4])]);
  }
  return out;
}

/** A stepped job's run: its results folder (the caller removes it), how qemu ended, the steps it recorded. */
export interface SteppedJob {
  results: string;
  run: VmResult;
  steps: JobStep[];
}

/**
 * Runs `bash JOB RESULTS` in the VM within `budgetS` seconds, boot included (the job's steps end before it: job-steps.sh
 * reads the budget), and prints how long it and each of its steps took.
 */
export async function runSteppedJob(job: string, budgetS: number, memoryMb: number): Promise<SteppedJob> {
  const name = basename(job, '.sh');
  const results = await mkdtemp(join(tmpdir(), `lbctl-vm-${name}-`));
  const run = await runInVm({
    command: ['bash', job, results],
    resultsDir: results,
    timeoutMs: budgetS * 1000,
    memoryMb,
    env: { LBCTL_JOB_BUDGET_S: String(budgetS) },
  });
  const steps = await readSteps(results);
  const width = Math.max(0, ...steps.map((s) => s.name.length));
  console.log(
    `VM ${name} job: ${run.durationMs} ms from prepare to qemu exit; steps (exit status, ms):\n${steps.map((s) => `  ${s.name.padEnd(width)} ${s.status} ${s.ms}`).join('\n')}`,
  );
  return { results, run, steps };
}

/** The two tests of every stepped job: qemu ended as the job did (no timeout, no panic), and no step was cut or left out. */
export function itRanEveryStep(job: () => { results: string; run: VmResult }): void {
  it('runs the job to completion', async () => expectJobCompleted(job().run, await jobEvidence(job().results)));
  it('runs every step within its limit', async () => {
    const cut = (await readSteps(job().results)).filter((s) => s.status === STEP_KILLED || s.status === STEP_NOT_STARTED);
    expect(cut, await jobEvidence(job().results)).toEqual([]);
  });
}
