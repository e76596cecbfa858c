// The CLI's view of the terminal: output functions and whether colour is wanted.

/** Where a command writes, and how. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** True when stdout is a terminal and NO_COLOR is unset. */
  color: boolean;
}

/** The process's own terminal. */
export function processIo(): Io {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env),
  };
}
