// Topology text → validated, resolved topology, or every diagnostic found: the hand schema check where it can
// tell, zod's everywhere else (zod's issues make every schema diagnostic).
import { loadTopologyWith, type LoadResult, type SchemaVerdict } from './load-text.js';
import { diagnosticsFromZod } from './schema-issues.js';
import { quickTopology } from './schema-quick.js';
import { topologySchema } from './schema.js';

/** The schema's verdict on a parsed document: the hand check's when it accepts, else zod's. */
export function judgeTopology(input: unknown): SchemaVerdict {
  const data = quickTopology(input);
  if (data !== undefined) return { data };
  const parsed = topologySchema.safeParse(input);
  return parsed.success ? { data: parsed.data } : { diagnostics: diagnosticsFromZod(topologySchema, parsed.error.issues, input) };
}

/** Parses, schema-checks, resolves and cross-checks a topology file's text (see loadTopologyWith). */
export function loadTopology(file: string, text: string): LoadResult {
  return loadTopologyWith(judgeTopology, file, text);
}
