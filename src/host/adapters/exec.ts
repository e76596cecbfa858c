// Running a command on this machine: execa with argument arrays, never a shell, in the C locale; and keeping one
// running as a feed.
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import type { CommandResult, Feed, Runner } from '../port.js';

/** Runs argv here; a missing binary is exit code 127 with a clear stderr, as a shell would say. */
export const localRunner: Runner = {
  async run(argv, options): Promise<CommandResult> {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty command');
    const r = await execa(file, args, { reject: false, input: options?.stdin ?? '', stripFinalNewline: false, env: { LC_ALL: 'C' } });
    if (r.failed && r.exitCode === undefined) {
      const missing = (r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      return {
        exitCode: missing ? 127 : 126,
        stdout: '',
        stderr: missing
          ? `${file}: command not found`
          : r.cause instanceof Error
            ? r.cause.message
            : (r.message ?? `${file} could not be started`),
      };
    }
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  },
};

/** Starts argv here as a feed: stdin kept open, output discarded (a failed change is made again as a command, which says why). */
export function localFeed(argv: readonly string[]): Feed {
  const [file = '', ...args] = argv;
  const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
  let alive = true;
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => (alive = false));
  // A command that could not start, or stdin written after it exited (EPIPE): the feed is dead, not the agent.
  child.once('error', () => (alive = false));
  child.stdin.on('error', () => (alive = false));
  return {
    write: (text) => void (alive && child.stdin.write(text)),
    get alive() {
      return alive;
    },
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
