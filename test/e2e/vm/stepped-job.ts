// Running a VM guest job made of steps (job-steps.sh) and reading the steps it recorded: free of the test runner, so
// that benchmarks run the same jobs as the e2e tests.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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

/** A stepped job's run: its results folder (the caller removes it), how qemu ended, the steps it recorded. */
export interface SteppedJob {
  results: string;
  run: VmResult;
  steps: JobStep[];
}

/** What a job needs besides its budget: more environment, and files put into its results folder before it runs. */
export interface SteppedJobOptions {
  env?: Readonly<Record<string, string>>;
  prepare?: (results: string) => Promise<void>;
}

/**
 * Runs `bash JOB RESULTS` in the VM within `budgetS` seconds, boot included (the job's steps end before it: job-steps.sh
 * reads the budget), and prints how long it and each of its steps took.
 */
export async function runSteppedJob(job: string, budgetS: number, memoryMb: number, options: SteppedJobOptions = {}): Promise<SteppedJob> {
  const name = basename(job, '.sh');
  const results = await mkdtemp(join(tmpdir(), `lbctl-vm-${name}-`));
  await options.prepare?.(results);
  const run = await runInVm({
    command: ['bash', job, results],
    resultsDir: results,
    timeoutMs: budgetS * 1000,
    memoryMb,
    env: { ...options.env, LBCTL_JOB_BUDGET_S: String(budgetS) },
  });
  const steps = await readSteps(results);
  const width = Math.max(0, ...steps.map((s) => s.name.length));
  console.log(
    `VM ${name} job: ${run.durationMs} ms from prepare to qemu exit${run.boots > 1 ? ` (booted ${run.boots} times: the first boot hung)` : ''}; steps (exit status, ms):\n${steps.map((s) => `  ${s.name.padEnd(width)} ${s.status} ${s.ms}`).join('\n')}`,
  );
  return { results, run, steps };
}
