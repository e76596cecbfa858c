// Loads an inventory file for a command: prints its diagnostics, and stops (exit 1) when it is invalid.
import { readInputFile } from '../host/read-input.js';
import { loadInventory } from '../inventory/load.js';
import type { Reach } from '../inventory/types.js';
import { formatDiagnostics } from '../present/diagnostics.js';
import { CliError, EXIT } from './exit-codes.js';

/** How to reach each host, from the inventory `file` of a topology with `hosts`. */
export async function requireInventory(file: string, hosts: readonly string[], stderr: (s: string) => void): Promise<Map<string, Reach>> {
  const result = loadInventory(file, await readInputFile(file, 'inventory file'), hosts);
  const report = formatDiagnostics(result.diagnostics);
  if (report !== '') stderr(report);
  if (!result.reach) throw new CliError(`${file}: invalid inventory`, EXIT.invalid);
  return result.reach;
}

/** Each named host's reach; with no inventory, one host is this machine, and more need one. */
export function reachOf(names: readonly string[], inventory: Map<string, Reach> | undefined): Map<string, Reach> {
  if (inventory === undefined) {
    if (names.length !== 1)
      throw new CliError(
        'planning or applying several live hosts needs --inventory FILE (how to reach each); without it, lbctl acts on this machine as the one --host',
        EXIT.usage,
      );
    return new Map([[names[0]!, { kind: 'local' }]]);
  }
  const missing = names.filter((n) => !inventory.has(n));
  if (missing.length > 0)
    throw new CliError(
      `the inventory does not say how to reach ${missing.join(', ')}: add ${missing.length === 1 ? 'it' : 'them'} under hosts:`,
      EXIT.usage,
    );
  return new Map(names.map((n) => [n, inventory.get(n)!]));
}
