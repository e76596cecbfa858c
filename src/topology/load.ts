// Topology text → validated, resolved topology, or every diagnostic found, each placed at file:line:col.
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

/** Parses, schema-checks, resolves and cross-checks a topology file's text. */
export function loadTopology(file: string, text: string): LoadResult {
  const { source, diagnostics: syntax } = parseSource(file, text);
  if (syntax.length > 0) return { diagnostics: sortDiagnostics(syntax) };
  const input: unknown = source.doc.toJS();
  const parsed = topologySchema.safeParse(input);
  if (!parsed.success) return { diagnostics: sortDiagnostics(place(source, diagnosticsFromZod(parsed.error.issues, input))) };
  const { topology, diagnostics: refs } = resolveTopology(parsed.data);
  const all = sortDiagnostics(place(source, [...refs, ...checkTopology(topology)]));
  return hasErrors(all) ? { diagnostics: all } : { topology, diagnostics: all };
}
