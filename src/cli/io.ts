// The CLI's view of the terminal: output functions and whether colour is wanted.

/** Where a command writes, and how. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** True when stdout is a terminal and NO_COLOR is unset. */
  color: boolean;
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
    color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env),
  };
}
