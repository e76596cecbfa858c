// Shared by the VM e2e tests: how a guest job made of steps (job-steps.sh, run by stepped-job.ts) ended, with its
// stderr, console tail and step record on failure.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { VmResult } from '../../../src/lab/vm/runner.js';
import { readSteps, STEP_KILLED, STEP_NOT_STARTED } from './stepped-job.js';

export { readSteps, runSteppedJob, STEP_KILLED, STEP_NOT_STARTED, type JobStep, type SteppedJob } from './stepped-job.js';

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

/** The two tests of every stepped job: qemu ended as the job did (no timeout, no panic), and no step was cut or left out. */
export function itRanEveryStep(job: () => { results: string; run: VmResult }): void {
  it('runs the job to completion', async () => expectJobCompleted(job().run, await jobEvidence(job().results)));
  it('runs every step within its limit', async () => {
    const cut = (await readSteps(job().results)).filter((s) => s.status === STEP_KILLED || s.status === STEP_NOT_STARTED);
    expect(cut, await jobEvidence(job().results)).toEqual([]);
  });
}
