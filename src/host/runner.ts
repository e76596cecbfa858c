// The one door to the host's commands: an injectable interface, with the real execa implementation.
import { execa } from 'execa';

/** What a finished command left behind. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs commands as argument arrays (never through a shell). */
export interface Runner {
  run(argv: readonly string[], options?: { stdin?: string }): Promise<CommandResult>;
}

/** A command that failed: the argv, its exit code and stderr, kept for the operator. */
export class CommandError extends Error {
  constructor(readonly argv: readonly string[], readonly result: CommandResult, options?: { cause?: unknown }) {
    super(`${argv.join(' ')} exited ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`, options);
  }
}

/** Runs a command and throws CommandError unless it exits 0. */
export async function runChecked(runner: Runner, argv: readonly string[], options?: { stdin?: string }): Promise<CommandResult> {
  const result = await runner.run(argv, options);
  if (result.exitCode !== 0) throw new CommandError(argv, result);
  return result;
}

/** The real runner: execa with argument arrays; a missing binary is exit code 127 with a clear stderr. */
export const execaRunner: Runner = {
  async run(argv, options) {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty command');
    const r = await execa(file, args, { reject: false, input: options?.stdin ?? '', stripFinalNewline: false, env: { LC_ALL: 'C' } });
    if (r.failed && r.exitCode === undefined) {
      const missing = (r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      return { exitCode: missing ? 127 : 126, stdout: '', stderr: missing ? `${file}: command not found` : String(r.cause ?? r.message) };
    }
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  },
};
