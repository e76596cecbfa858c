// Runs the lbctl CLI in-process with captured output, as tests need it.
import { main } from '../../src/cli/main.js';

/** The outcome of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lbctl ARGS...` without colour and returns its exit code and output. */
export async function runCli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'lbctl', ...args], {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    color: false,
  });
  process.exitCode = 0;
  return { code, stdout, stderr };
}
