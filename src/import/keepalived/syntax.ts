// Words and braces → keepalived's block structure: each line a keyword with its arguments, "{ ... }" its sub-block.
import type { SourceAt } from '../report.js';
import { SourceError } from '../source-error.js';
import type { Segment, Word } from './preprocess.js';

/** A configuration line: its keyword, the words after it, and the block that follows it, if any. */
export interface Statement {
  keyword: Word;
  args: Word[];
  block?: Statement[];
  /** Where the block's closing brace is. */
  end?: SourceAt;
}

/** The text of a statement's i-th argument. */
export const arg = (s: Statement, i: number): string | undefined => s.args[i]?.text;

/** A statement's arguments as one string, as keepalived's make_strvec_str joins them. */
export const rest = (s: Statement): string => s.args.map((w) => w.text).join(' ');

/** Builds the statement tree; a brace that opens or closes nothing, or a block never closed, is a SourceError. */
export function parseStatements(segments: readonly Segment[]): Statement[] {
  const top: Statement[] = [];
  const open: Statement[] = [];
  let current = top;
  let previous: Statement | undefined;
  for (const segment of segments) {
    if (segment.kind === 'words') {
      const [keyword, ...args] = segment.words;
      if (keyword === undefined) continue;
      previous = { keyword, args };
      current.push(previous);
      continue;
    }
    if (segment.kind === 'open') {
      // "{" belongs to the line just before it (on the same line or the next one), as keepalived reads it.
      if (previous === undefined || previous.block !== undefined)
        throw new SourceError(segment.at, '"{" opens a block without a keyword before it');
      previous.block = [];
      open.push(previous);
      current = previous.block;
      previous = undefined;
      continue;
    }
    const closed = open.pop();
    if (closed === undefined) throw new SourceError(segment.at, '"}" closes no block: remove it or add the "{" it belongs to');
    closed.end = segment.at;
    current = open[open.length - 1]?.block ?? top;
    previous = undefined;
  }
  const unclosed = open[open.length - 1];
  if (unclosed !== undefined)
    throw new SourceError(unclosed.keyword.at, `the block of "${unclosed.keyword.text}" is never closed: add "}"`);
  return top;
}
