// Many read-only commands in one `sh` on the host: one round trip (or one process start) instead of one per command,
// with each command's output, exit status and stderr framed by NUL bytes, which text output never holds.
import { quoteArgv } from '../../drivers/sh/quote.js';
import { runOneByOne, type CommandResult, type Runner } from '../port.js';

/**
 * Runs each argument (a quoted command line) and frames the results with NUL bytes, which text output never holds:
 * per command its stdout, NUL, its exit status, NUL, its stderr, NUL. The stdout goes straight through (fd 3); the
 * stderr is caught by a command substitution, in this sh's own fork: no temporary file and no `cat` per command. The
 * `x` it ends with keeps the stderr's trailing newlines, which a substitution would strip.
 */
const MANY = [
  '{ for c; do',
  '  e=$( { eval "$c"; } 2>&1 1>&3 3>&-; r=$?; echo x; exit "$r" ); r=$?',
  '  printf \'\\0%d\\0%s\\0\' "$r" "${e%x}"',
  'done; } 3>&1',
].join('\n');

/** Splits MANY's output into one result per command; null when the framing is not what was sent (then ask one by one). */
export function unframe(stdout: string, count: number): CommandResult[] | null {
  const parts = stdout.split('\0');
  if (parts.length !== count * 3 + 1 || parts.at(-1) !== '') return null;
  return Array.from({ length: count }, (_, i) => ({
    stdout: parts[i * 3]!,
    exitCode: Number(parts[i * 3 + 1]),
    stderr: parts[i * 3 + 2]!,
  }));
}

/** Runs the commands through `runner` in one `sh`, results in order; one by one if an output held a NUL after all. */
export async function runBatched(runner: Runner, argvs: readonly (readonly string[])[]): Promise<CommandResult[]> {
  if (argvs.length <= 1) return runOneByOne(runner, argvs);
  const r = await runner.run(['sh', '-c', MANY, 'sh', ...argvs.map(quoteArgv)]);
  return (r.exitCode === 0 ? unframe(r.stdout, argvs.length) : null) ?? runOneByOne(runner, argvs);
}
