// The error an importer throws on input it cannot read: where, and what is wrong.
import type { SourceAt } from './report.js';

/** Input an importer could not understand, placed at file:line[:col]. */
export class SourceError extends Error {
  override readonly name = 'SourceError';

  constructor(
    readonly at: SourceAt,
    readonly reason: string,
  ) {
    super(`${at.file}:${at.line}${at.col === undefined ? '' : `:${at.col}`}: ${reason}`);
  }
}
