// Topology text → validated, resolved topology, or every diagnostic found, each placed at file:line:col.
import jsyaml from 'js-yaml';
import { checkTopology } from './checks.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { resolveTopology } from './resolve.js';
import { diagnosticsFromZod } from './schema-issues.js';
import { topologySchema } from './schema.js';
import { parseSource, place } from './source.js';
import type { Topology } from './types.js';

/** The outcome of loading: the topology when there are no errors, and all diagnostics (warnings too). */
export interface LoadResult {
  topology?: Topology;
  diagnostics: Diagnostic[];
}

/** Schema, resolution and cross-checks of parsed input; diagnostics are placed by `placeAll`. */
function check(input: unknown, placeAll: (d: Diagnostic[]) => Diagnostic[]): LoadResult {
  const parsed = topologySchema.safeParse(input);
  if (!parsed.success) return { diagnostics: sortDiagnostics(placeAll(diagnosticsFromZod(parsed.error.issues, input))) };
  const { topology, diagnostics: refs } = resolveTopology(parsed.data);
  const all = sortDiagnostics(placeAll([...refs, ...checkTopology(topology)]));
  return hasErrors(all) ? { diagnostics: all } : { topology, diagnostics: all };
}

/** The full path: `yaml` keeps a source range on every node, so every diagnostic gets its line:col. */
function loadWithPositions(file: string, text: string): LoadResult {
  const { source, diagnostics: syntax } = parseSource(file, text);
  if (syntax.length > 0) return { diagnostics: sortDiagnostics(syntax) };
  return check(source.doc.toJS(), (d) => place(source, d));
}

/**
 * Parses, schema-checks, resolves and cross-checks a topology file's text. A clean file takes
 * the fast path (js-yaml, YAML 1.2 core schema, ~10x faster on large files); any problem sends
 * it through the `yaml` path, so every diagnostic reported comes with its position.
 */
export function loadTopology(file: string, text: string): LoadResult {
  let input: unknown;
  try {
    input = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch {
    return loadWithPositions(file, text);
  }
  const fast = check(input, (d) => d);
  return fast.diagnostics.length === 0 ? fast : loadWithPositions(file, text);
}
