// Exit codes of every lbctl command (documented in the README).

/** Process exit codes, stable for scripts and CI. */
export const EXIT = {
  /** Success; for `plan --detailed-exitcode`: no changes. */
  ok: 0,
  /** The topology is invalid, or `--expect` found a different plan. */
  invalid: 1,
  /** `plan --detailed-exitcode`: there are changes. */
  changes: 2,
  /** apply: a step failed; what was done has been rolled back. */
  failed: 3,
  /** apply: executed, but probing again still finds differences (or the ledger could not be written). */
  drift: 4,
  /** apply: interrupted by SIGINT or SIGTERM; what it had done has been rolled back. */
  interrupted: 130,
  /** The command line is wrong (unknown option, missing argument). */
  usage: 64,
  /** What a host reported (live or captured) cannot be understood. */
  badData: 65,
  /** An input file or directory cannot be read. */
  noInput: 66,
  /** An output file or directory the operator named cannot be created or written. */
  cannotWrite: 73,
  /** A host cannot be reached (ssh, sudo), or the machine reached is not the host the topology names. */
  noHost: 68,
  /** A prerequisite is missing: a tool, or IPVS in the kernel. Nothing was changed. */
  unavailable: 69,
  /** Another lbctl holds the host's lock. */
  locked: 75,
  /** apply needs root. */
  noPermission: 77,
  /** A bug in lbctl: please report it with the message. */
  internal: 70,
} as const;

/** An error that ends the command with a message and a specific exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
