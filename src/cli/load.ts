// Loads a topology file for a command: prints its diagnostics, and stops (exit 1) when it is invalid.
import { readInputFile } from '../host/read-input.js';
import { formatDiagnostic } from '../topology/diagnostics.js';
import { loadTopology, type LoadResult } from '../topology/load.js';
import type { Topology } from '../topology/types.js';
import { CliError, EXIT } from './exit-codes.js';

/** Reads and loads a topology file without judging the result (for `validate`). */
export async function readTopology(file: string): Promise<LoadResult> {
  return loadTopology(file, await readInputFile(file, 'topology file'));
}

/** Reads a topology for commands that need a valid one; warnings go to stderr, errors end the command. */
export async function requireTopology(file: string, stderr: (s: string) => void): Promise<Topology> {
  const result = await readTopology(file);
  for (const d of result.diagnostics) stderr(`${formatDiagnostic(d)}\n`);
  if (!result.topology) throw new CliError(`${file}: invalid topology (run \`lbctl validate ${file}\`)`, EXIT.invalid);
  return result.topology;
}
