// Running a shell plan for real: sh, with only recording stubs in PATH, logs every command the plan would run, to
// compare with the commands its steps list.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePlan } from '../../src/plan/plan.js';
import { stepsFor, type Step } from '../../src/plan/steps.js';
import type { HostPlan } from '../../src/plan/types.js';
import { renderShell } from '../../src/present/shell.js';
import { recorders } from './wrappers.js';

/** Every command a plan may run, and what an injection would try. */
export const PLAN_COMMANDS = ['ip', 'sysctl', 'modprobe', 'ipvsadm', 'nft', 'install', 'rm', 'systemctl', 'reboot', 'x', 'owned'];

/** How a recorder logs one command: its name and arguments joined by spaces (a shell word cannot hold NUL: sh drops it). */
export function recorded(step: Step): string {
  const argv =
    step.op === 'exec'
      ? step.argv
      : step.op === 'remove'
        ? ['rm', '-f', '--', step.path]
        : ['install', '-D', '-m', '0644', '/dev/stdin', step.file.path];
  return `${argv.join(' ').replaceAll('\0', '')}\n`;
}

/** Runs the shell plan of `plan` in `dir` with recorders in PATH; what they logged, what the steps list, the script. */
export function runShellPlan(plan: HostPlan, dir: string): { ran: string; listed: string; script: string } {
  const script = renderShell(makePlan([plan]));
  execFileSync('/bin/sh', ['-n'], { input: script, cwd: dir });
  const log = join(dir, 'log');
  const bin = recorders(join(dir, 'bin'), log, PLAN_COMMANDS);
  execFileSync('/bin/sh', ['-e'], { input: script, env: { PATH: bin }, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  return { ran: existsSync(log) ? readFileSync(log, 'utf8') : '', listed: plan.changes.flatMap(stepsFor).map(recorded).join(''), script };
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failing case can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
