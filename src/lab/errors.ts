// The one error type of lab commands: a sentence for the operator and why, which the CLI maps to an exit code.

/** Why a lab command stopped: not root, a prerequisite missing, a wrong request, or a build that failed (and was undone). */
export type LabFailure = 'not-root' | 'unavailable' | 'usage' | 'failed';

/** A lab command that cannot go on; the message says what to do. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly reason: LabFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
