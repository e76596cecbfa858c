// Topology text → validated, resolved topology, or every diagnostic found, each placed at file:line:col, given
// the schema check to use (load.ts: the full one; the CLI first tries the hand check alone, without loading zod).
import jsyaml from 'js-yaml';
import { checkTopology } from './checks.js';
import { error, hasErrors, sortDiagnostics, warning, withoutRepeats, type Diagnostic } from './diagnostics.js';
import { aliasBomb, expandsTooMuch, fileProblem, prototypeKeys, tooDeep, tooDeepAt } from './hostile-input.js';
import { resolveTopology } from './resolve.js';
import type { RawTopology } from './schema.js';
import { parseSource, place, unresolvedAliases } from './source.js';
import { offsetOfPath, positionsIn } from './text-locate.js';
import type { Topology } from './types.js';

/** The outcome of loading: the topology when there are no errors, and all diagnostics (warnings too). */
export interface LoadResult {
  topology?: Topology;
  diagnostics: Diagnostic[];
}

/** Topology files larger than this are refused before parsing (a 16 MiB file describes some 70,000 services). */
export const MAX_TOPOLOGY_BYTES = 16 * 1024 * 1024;

/**
 * Files with problems up to this size are parsed again with a source range on every node, for exact positions. That
 * parse costs some 2 s and 250 MB per MiB, so larger files get positions from a forward search for each key instead.
 */
const POSITIONED_PARSE_BYTES = 1024 * 1024;

/** At most this many problems of a large file are reported (each costs a search through the text). */
const MAX_LARGE_FILE_DIAGNOSTICS = 100;

/** A schema check's verdict on a parsed document: what the schema returns, or its problems. */
export type SchemaVerdict = { data: RawTopology } | { diagnostics: Diagnostic[] };

/** Judges a parsed document against the topology schema; undefined when it cannot tell (another check must). */
export type SchemaCheck = (input: unknown) => SchemaVerdict | undefined;

/** YAML 1.2's core schema with merge keys (`<<: *defaults`), as the positioned parse reads them (source.ts). */
const CORE_WITH_MERGE = jsyaml.CORE_SCHEMA.extend({
  implicit: [new jsyaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' })],
});

/** Top-level keys starting with "x-": a place for anchors that services share, not read by lbctl. */
export const PARKING_PREFIX = 'x-';

/** The document without its top-level "x-" keys (anything else is returned as it is, for the schema to judge). */
function withoutParked(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([key]) => !key.startsWith(PARKING_PREFIX)));
}

/** Schema, resolution and cross-checks of parsed input; diagnostics are placed by `placeAll`. */
function check(schema: SchemaCheck, text: string, document: unknown, placeAll: (d: Diagnostic[]) => Diagnostic[]): LoadResult | undefined {
  const reserved = prototypeKeys(document, text);
  if (reserved.length > 0) return { diagnostics: sortDiagnostics(placeAll(reserved)) };
  const verdict = schema(withoutParked(document));
  if (verdict === undefined) return undefined;
  if ('diagnostics' in verdict) return { diagnostics: sortDiagnostics(withoutRepeats(placeAll(verdict.diagnostics))) };
  const { topology, diagnostics: refs } = resolveTopology(verdict.data);
  const all = sortDiagnostics(withoutRepeats(placeAll([...refs, ...checkTopology(topology)])));
  return hasErrors(all) ? { diagnostics: all } : { topology, diagnostics: all };
}

/** The full path: `yaml` keeps a source range on every node, so every diagnostic gets its line:col. */
function loadWithPositions(schema: SchemaCheck, file: string, text: string): LoadResult | undefined {
  const { source, diagnostics: syntax } = parseSource(file, text);
  if (syntax.length > 0) return { diagnostics: sortDiagnostics(syntax) };
  const unresolved = unresolvedAliases(source);
  if (unresolved.length > 0) return { diagnostics: unresolved };
  let input: unknown;
  try {
    input = source.doc.toJS();
  } catch (err) {
    // With every alias resolved, the one ReferenceError toJS throws is its alias-count limit.
    if (err instanceof ReferenceError) return { diagnostics: [aliasBomb(file, text)] };
    throw err;
  }
  return check(schema, text, input, (d) => place(source, d));
}

/** Places the first diagnostics of a large file by searching for their keys; says how many more there are. */
function placeLarge(file: string, text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  const at = positionsIn(text);
  const shown = diagnostics
    .slice(0, MAX_LARGE_FILE_DIAGNOSTICS)
    .map((d) => fileProblem(file, d, at(offsetOfPath(text, d.path, d.atKey === true))));
  const hidden = diagnostics.slice(shown.length);
  if (hidden.length > 0) {
    // Warnings alone, however many, leave the file valid.
    const more = (hasErrors(hidden) ? error : warning)(
      'too-many-problems',
      [],
      `${hidden.length} more problem(s) not shown`,
      'fix the ones above and validate again',
    );
    shown.push(fileProblem(file, more));
  }
  return shown;
}

/** A js-yaml syntax error, at its mark. */
function syntaxAtMark(file: string, err: jsyaml.YAMLException): LoadResult {
  const d = error('yaml-syntax', [], err.reason, 'fix the YAML syntax at this position');
  return { diagnostics: [fileProblem(file, d, { line: err.mark.line + 1, col: err.mark.column + 1 })] };
}

/** The fast parse (js-yaml), alias bombs refused; `onSyntax` handles a syntax error, `onParsed` the parsed input. */
function loadFast(
  file: string,
  text: string,
  onSyntax: (err: jsyaml.YAMLException) => LoadResult | undefined,
  onParsed: (input: unknown) => LoadResult | undefined,
): LoadResult | undefined {
  let input: unknown;
  try {
    input = jsyaml.load(text, { schema: CORE_WITH_MERGE });
  } catch (err) {
    if (err instanceof jsyaml.YAMLException) return onSyntax(err);
    throw err;
  }
  return expandsTooMuch(input, text) ? { diagnostics: [aliasBomb(file, text)] } : onParsed(input);
}

/**
 * Parses, schema-checks, resolves and cross-checks a topology file's text. A clean file takes the fast path
 * (js-yaml, YAML 1.2 core schema, ~10x faster on large files); a small file with any problem goes through the
 * `yaml` path, so every diagnostic comes with its exact position; a large one keeps js-yaml's result and finds
 * positions by searching the text. Files over MAX_TOPOLOGY_BYTES, alias bombs and nesting deeper than the
 * parsers' stack are refused with a diagnostic. Undefined when `schema` cannot tell.
 */
export function loadTopologyWith(schema: (input: unknown) => SchemaVerdict, file: string, text: string): LoadResult;
export function loadTopologyWith(schema: SchemaCheck, file: string, text: string): LoadResult | undefined;
export function loadTopologyWith(schema: SchemaCheck, file: string, text: string): LoadResult | undefined {
  if (text.length > MAX_TOPOLOGY_BYTES) {
    return {
      diagnostics: [
        fileProblem(
          file,
          error(
            'file-too-large',
            [],
            `the file is larger than ${MAX_TOPOLOGY_BYTES >> 20} MiB, the most lbctl reads`,
            'split the topology, or check that this is the file you meant',
          ),
        ),
      ],
    };
  }
  const deep = tooDeepAt(text);
  if (deep >= 0) return { diagnostics: [tooDeep(file, text, deep)] };
  try {
    if (text.length > POSITIONED_PARSE_BYTES)
      return loadFast(
        file,
        text,
        (err) => syntaxAtMark(file, err),
        (input) => check(schema, text, input, (d) => placeLarge(file, text, d)),
      );
    return loadFast(
      file,
      text,
      () => loadWithPositions(schema, file, text),
      (input) => {
        const fast = check(schema, text, input, (d) => d);
        return fast === undefined || fast.diagnostics.length === 0 ? fast : loadWithPositions(schema, file, text);
      },
    );
  } catch (err) {
    if (err instanceof RangeError) return { diagnostics: [tooDeep(file, text, -1)] };
    throw err;
  }
}
