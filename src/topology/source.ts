// The YAML source of a topology: parsing with positions, and mapping a node path to line:col.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, LineCounter, Node, Pair, YAMLMap } from 'yaml';
import { error, type Diagnostic, type NodePath, type Position } from './diagnostics.js';

/** A parsed YAML document with what is needed to report positions. */
export interface Source {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** The yaml library once loaded (see yaml()). */
let yamlLibrary: typeof Yaml | undefined;

/**
 * The yaml library, loaded (synchronously, once) only when a file needs positions: a clean file takes js-yaml's fast
 * path (load.ts), and a plan need not pay for this library's start-up. The module is kept here, not asked of a new
 * require each time: locate calls this per problem, and each createRequire and resolution cost ~0.3 ms, over a
 * second for the 4,000 warnings of a large topology in the emulated VM.
 */
function yaml(): typeof Yaml {
  yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yamlLibrary;
}

/** True when some mapping may hold a key twice (scalar keys of equal value, as the yaml library compares them). */
function mayHaveDuplicateKey(root: unknown): boolean {
  const { isMap, isPair, isScalar, isSeq } = yaml();
  const walk = (node: unknown): boolean => {
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (seen.has(pair.key.value)) return true;
          seen.add(pair.key.value);
        }
        if (walk(pair.key) || walk(pair.value)) return true;
      }
    } else if (isSeq(node)) {
      for (const item of node.items) if (walk(item)) return true;
    } else if (isPair(node)) {
      return walk(node.key) || walk(node.value);
    }
    return false;
  };
  return walk(root);
}

function parseWithLines(text: string, uniqueKeys: boolean): { doc: Document.Parsed; lines: LineCounter } {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: lines, uniqueKeys, prettyErrors: false, merge: true }), lines };
}

/** Parses YAML text, keeping ranges on every node; syntax errors come back as diagnostics. */
export function parseSource(file: string, text: string): { source: Source; diagnostics: Diagnostic[] } {
  // The yaml library checks each key against every earlier key of its mapping: quadratic, seconds
  // for 10,000 services. Parse without that check and look for duplicates in linear time; only a
  // document with any error or a possibly repeated key is parsed again with the library's check,
  // so the errors reported (and their positions) are exactly the library's.
  let { doc, lines } = parseWithLines(text, false);
  if (doc.errors.length > 0 || mayHaveDuplicateKey(doc.contents)) ({ doc, lines } = parseWithLines(text, true));
  const source = { file, doc, lines };
  // After the first syntax error the parser's later complaints are mostly its echo: keep that
  // one, plus every duplicate key (each is a real, separate mistake).
  const firstSyntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const kept = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY' || e === firstSyntax);
  const diagnostics = kept.map((e) => {
    const d = error(
      e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax',
      [],
      e.message.split('\n')[0] ?? e.message,
      e.code === 'DUPLICATE_KEY' ? 'each key may appear once in a mapping: remove or rename one' : 'fix the YAML syntax at this position',
    );
    return { ...d, file, position: positionAt(source, e.pos[0]) };
  });
  return { source, diagnostics };
}

function positionAt(source: Source, offset: number): Position {
  const p = source.lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/** Each mapping's pairs by key, built once per mapping: a file with thousands of problems looks each up in O(1). */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsByKey(map: YAMLMap): Map<string, Pair> {
  const { isScalar } = yaml();
  let index = pairIndex.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items) {
      // The first of duplicate keys wins, as a linear search would find it.
      if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    }
    pairIndex.set(map, index);
  }
  return index;
}

/**
 * The pair of `key` that a mapping takes from its merge keys (`<<: *defaults` or `<<: [*a, *b]`), searched as YAML
 * merges: the mapping's own pairs first (see locate), then each merged mapping in order; undefined when none has it.
 */
function mergedPair(source: Source, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  if (depth > 16) return undefined;
  for (const pair of map.items) {
    // The yaml library reads "<<" as a merge key, a scalar whose value is a symbol.
    if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const item of sources) {
      const merged = isAlias(item) ? item.resolve(source.doc) : item;
      if (!isMap(merged)) continue;
      const found = pairsByKey(merged).get(key) ?? mergedPair(source, merged, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The position of the node at `path`, or of the nearest ancestor that exists. A key a mapping takes from a merge key
 * is found where it is written, under the anchor.
 * With `atKey`, points at the last segment's key rather than its value (for unknown keys).
 */
export function locate(source: Source, path: NodePath, atKey = false): Position {
  const { isMap, isSeq } = yaml();
  let node: unknown = source.doc.contents;
  let best: [number, number, number] | undefined = (node as Node | null)?.range ?? undefined;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(segment)) ?? mergedPair(source, node, String(segment));
      if (!pair) break;
      const key = pair.key as Node;
      if (last && atKey) return positionAt(source, key.range?.[0] ?? 0);
      node = pair.value;
      // A missing key below this one is reported at this key ("web:"), not inside its value.
      best = (last ? (pair.value as Node | null)?.range : undefined) ?? key.range ?? best;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) break;
      best = (node as Node).range ?? best;
    } else {
      break;
    }
  }
  return positionAt(source, best?.[0] ?? 0);
}

/** Fills in file and position of diagnostics from their paths. */
export function place(source: Source, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => (d.position ? d : { ...d, file: source.file, position: locate(source, d.path, d.atKey === true) }));
}

/** Aliases (`*name`) with no anchor (`&name`) before them, each at its position. */
export function unresolvedAliases(source: Source): Diagnostic[] {
  const out: Diagnostic[] = [];
  yaml().visit(source.doc, {
    Alias(_key, alias) {
      if (alias.resolve(source.doc) !== undefined) return;
      const d = error(
        'yaml-alias-unresolved',
        [],
        `alias *${alias.source} names no anchor defined before it`,
        `define "&${alias.source}" on a value above, or write the value out`,
      );
      out.push({ ...d, file: source.file, position: positionAt(source, alias.range?.[0] ?? 0) });
    },
  });
  return out;
}
