// Loads a topology file for a command: prints its diagnostics, and stops (exit 1) when it is invalid.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { readInputFile } from '../host/read-input.js';
import { formatDiagnostic } from '../present/diagnostics.js';
import { loadTopology, MAX_TOPOLOGY_BYTES, type LoadResult } from '../topology/load.js';
import type { Topology } from '../topology/types.js';
import { CliError, EXIT } from './exit-codes.js';

const tooLarge = (file: string) =>
  new CliError(`cannot read topology file ${file}: it is larger than ${MAX_TOPOLOGY_BYTES >> 20} MiB, the most lbctl reads`, EXIT.noInput);

/** A pipe or device (`<(generate)`, /dev/stdin) read up to the size limit: it may never end. */
async function readStream(file: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    size += (chunk as Buffer).length;
    if (size > MAX_TOPOLOGY_BYTES) throw tooLarge(file);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The topology file's text; files over the size limit are refused before they are read. */
async function readTopologyText(file: string): Promise<string> {
  const s = await stat(file).catch(() => undefined);
  if (s?.isFile() && s.size > MAX_TOPOLOGY_BYTES) throw tooLarge(file);
  if (s !== undefined && !s.isFile() && !s.isDirectory()) return readStream(file);
  return readInputFile(file, 'topology file');
}

/** Reads and loads a topology file without judging the result (for `validate`). */
export async function readTopology(file: string): Promise<LoadResult> {
  return loadTopology(file, await readTopologyText(file));
}

/** Reads a topology for commands that need a valid one; warnings go to stderr, errors end the command. */
export async function requireTopology(file: string, stderr: (s: string) => void): Promise<Topology> {
  const result = await readTopology(file);
  for (const d of result.diagnostics) stderr(`${formatDiagnostic(d)}\n`);
  if (!result.topology) throw new CliError(`${file}: invalid topology (run \`lbctl validate ${file}\`)`, EXIT.invalid);
  return result.topology;
}
