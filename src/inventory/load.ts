// Inventory text → how to reach each host, every problem placed at file:line:col like the topology's.
import { error, hasErrors, sortDiagnostics, type Diagnostic } from '../topology/diagnostics.js';
import { diagnosticsFromZod } from '../topology/schema-issues.js';
import { parseSource, place } from '../topology/source.js';
import { didYouMean } from '../topology/suggest.js';
import { inventorySchema, type RawInventory } from './schema.js';
import type { Reach } from './types.js';

/** The outcome of loading an inventory: reach by host name when there are no errors, and all diagnostics. */
export interface InventoryResult {
  reach?: Map<string, Reach>;
  diagnostics: Diagnostic[];
}

/** Each host's reach, with the defaults merged in and the ssh destination defaulting to the host's name. */
function resolve(raw: RawInventory): Map<string, Reach> {
  const out = new Map<string, Reach>();
  for (const [name, entry] of Object.entries(raw.hosts)) {
    if (entry === 'local') out.set(name, { kind: 'local' });
    else out.set(name, { kind: 'ssh', target: { host: name, ...raw.defaults?.ssh, ...(entry === 'ssh' ? {} : entry.ssh) } });
  }
  return out;
}

/** Parses and checks an inventory; every host it names must be one of `topologyHosts`. */
export function loadInventory(file: string, text: string, topologyHosts: readonly string[]): InventoryResult {
  const { source, diagnostics: syntax } = parseSource(file, text);
  if (syntax.length > 0) return { diagnostics: sortDiagnostics(syntax) };
  const input: unknown = source.doc.toJS();
  const parsed = inventorySchema.safeParse(input);
  if (!parsed.success)
    return { diagnostics: sortDiagnostics(place(source, diagnosticsFromZod(inventorySchema, parsed.error.issues, input))) };
  const known = new Set(topologyHosts);
  const unknown = Object.keys(parsed.data.hosts)
    .filter((name) => !known.has(name))
    .map((name) => ({
      ...error(
        'inventory-host-unknown',
        ['hosts', name],
        `host "${name}" is not in the topology${didYouMean(name, topologyHosts)}`,
        `use one of: ${topologyHosts.join(', ')}`,
      ),
      atKey: true,
    }));
  const diagnostics = sortDiagnostics(place(source, unknown));
  return hasErrors(diagnostics) ? { diagnostics } : { reach: resolve(parsed.data), diagnostics };
}
