// Running a command on this machine: execa with argument arrays, never a shell, in the C locale.
import { execa } from 'execa';
import type { CommandResult, Runner } from '../port.js';

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
