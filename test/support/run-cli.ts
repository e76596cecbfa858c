// Runs the lbctl CLI in-process with captured output, as tests need it.
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** The outcome of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lbctl ARGS...` without colour and returns its exit code and output. */
export async function runCli(...args: string[]): Promise<CliRun> {
  return runCliWith({}, ...args);
}

/** Runs `lbctl ARGS...` with colour or standard input as given (none by default). */
export async function runCliWith(io: Partial<Pick<Io, 'color' | 'stdin'>>, ...args: string[]): Promise<CliRun> {
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
    stdin: [],
    ...io,
  });
  process.exitCode = 0;
  return { code, stdout, stderr };
}
