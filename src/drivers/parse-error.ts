// The error every observed-state parser throws on input it does not understand.

/** Input a parser could not understand: which source, where (1-based line, or null for JSON), and what. */
export class ParseError extends Error {
  override readonly name = 'ParseError';

  constructor(
    /** What was being parsed, e.g. "ipvsadm-save" or "ip -j addr". */
    readonly source: string,
    /** 1-based line number of the offending line; null when the input is not line-oriented (JSON). */
    readonly line: number | null,
    /** The offending line, or for JSON the path of the offending value. */
    readonly text: string,
    /** Why it was rejected. */
    readonly reason: string,
  ) {
    super(line === null ? `${source}: ${reason} (at ${text})` : `${source}: line ${line}: ${reason}: ${text}`);
  }
}
