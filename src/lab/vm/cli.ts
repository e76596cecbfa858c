// `node dist/lab/vm/cli.js [options] -- CMD ARGS...`: runs one command in the IPVS VM and exits with its code.
import { parseArgs } from 'node:util';
import { runInVm, type VmStream } from './runner.js';

const USAGE = 'usage: node dist/lab/vm/cli.js [--timeout SECONDS] [--results DIR] [--memory MB] [--console] -- CMD [ARGS...]';
/** Exit status when the VM timed out (as timeout(1)). */
export const EXIT_TIMEOUT = 124;
/** Exit status when the guest kernel panicked. */
export const EXIT_PANIC = 125;

/** Runs the CLI on `argv` (without node and script) and returns the process exit status. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      timeout: { type: 'string', default: '300' },
      results: { type: 'string' },
      memory: { type: 'string', default: '1024' },
      console: { type: 'boolean', default: false },
    },
  });
  const timeoutS = Number(values.timeout);
  const memoryMb = Number(values.memory);
  if (positionals.length === 0 || !(timeoutS > 0) || !Number.isInteger(memoryMb)) {
    console.error(USAGE);
    return 2;
  }
  const sinks: Record<VmStream, NodeJS.WritableStream | undefined> = {
    stdout: process.stdout,
    stderr: process.stderr,
    console: values.console ? process.stderr : undefined,
  };
  const result = await runInVm({
    command: positionals,
    timeoutMs: timeoutS * 1000,
    memoryMb,
    ...(values.results ? { resultsDir: values.results } : {}),
    onOutput: (stream, chunk) => sinks[stream]?.write(chunk),
  });
  if (result.exitCode !== null) return result.exitCode;
  if (!values.console) process.stderr.write(result.serialLog);
  console.error(result.timedOut ? `lbctl VM: timed out after ${timeoutS} s` : 'lbctl VM: the guest kernel panicked');
  return result.timedOut ? EXIT_TIMEOUT : EXIT_PANIC;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 70;
  },
);
