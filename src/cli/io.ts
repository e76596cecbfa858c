// The CLI's view of the terminal: output functions and whether colour is wanted.

/** A stream of input chunks (strings or bytes): standard input, or what a test feeds in its place. */
export type Input = AsyncIterable<unknown> | Iterable<unknown>;

/** Where a command writes, and how. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether to colour the output (`wantsColor`); `--no-color` turns it off. */
  color: boolean;
  /** What a command reads when a file is named `-` (the process's standard input when left out). */
  stdin?: Input;
}

/** Colour when FORCE_COLOR says so (any value but 0), never when it is 0, else on a terminal without NO_COLOR. */
export function wantsColor(env: NodeJS.ProcessEnv, terminal: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return terminal && !('NO_COLOR' in env);
}

/** A reader that went away (`lbctl plan ... | head`) ends the command quietly; other write errors stay errors. */
function endOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit();
  });
}

/** The process's own terminal. */
export function processIo(): Io {
  endOnClosedPipe(process.stdout);
  endOnClosedPipe(process.stderr);
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    color: wantsColor(process.env, Boolean(process.stdout.isTTY)),
    stdin: process.stdin,
  };
}
