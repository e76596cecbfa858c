// Running a command on this machine: argument arrays, never a shell, in the C locale; and keeping one running as a
// feed. node:child_process directly: every probe and apply step is a command, and execa's own work per command (its
// stream pipeline, abort signals and error objects) made a command cost 3.5 ms here against 1.9 ms without it.
import { spawn } from 'node:child_process';
import type { CommandResult, Feed, Runner } from '../port.js';

/** The environment of every command: this process's, in the C locale (the parsers read C-locale output). */
const commandEnv = () => ({ ...process.env, LC_ALL: 'C' });

/**
 * Runs argv here, its stdin the given text. A missing binary is exit code 127 with a clear stderr, as a shell would
 * say; one that cannot be run, or a command killed by a signal, is 126 with why.
 */
export const localRunner: Runner = {
  run(argv, options): Promise<CommandResult> {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty command');
    return new Promise((resolve) => {
      const child = spawn(file, args, { env: commandEnv() });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      // A command that exits without reading its stdin: the write fails with EPIPE, and its exit status says the rest.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options?.stdin ?? '');
      let settled = false;
      child.once('error', (err: NodeJS.ErrnoException) => {
        settled = true;
        const missing = err.code === 'ENOENT';
        resolve({ exitCode: missing ? 127 : 126, stdout: '', stderr: missing ? `${file}: command not found` : err.message });
      });
      child.once('close', (code, signal) => {
        if (settled) return;
        const err = Buffer.concat(stderr).toString('utf8');
        if (code === null)
          resolve({ exitCode: 126, stdout: '', stderr: `${argv.join(' ')} was killed by ${signal ?? 'a signal'}${err ? `: ${err}` : ''}` });
        else resolve({ exitCode: code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err });
      });
    });
  },
};

/** Starts argv here as a feed: stdin kept open, output discarded (a failed change is made again as a command, which says why). */
export function localFeed(argv: readonly string[]): Feed {
  const [file = '', ...args] = argv;
  const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'], env: commandEnv() });
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
