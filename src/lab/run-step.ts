// Running the lab's own ip steps (building and removing its namespaces and links), with errors that show a batch.
import { CommandError, type Runner } from '../host/port.js';
import type { BuildStep } from './steps.js';

/** Runs one step; a failed batch's error lists its lines, which ip's "Command failed -:N" numbers. */
export async function runStep(runner: Runner, step: BuildStep): Promise<void> {
  const result = await runner.run(step.argv, step.batch ? { stdin: step.batch.map((line) => `${line}\n`).join('') } : undefined);
  if (result.exitCode === 0) return;
  const listing = step.batch ? `\n${step.batch.map((line, i) => `  ${i + 1}: ${line}`).join('\n')}` : '';
  throw new CommandError(step.argv, { ...result, stderr: `${result.stderr.trimEnd()}${listing}` });
}
