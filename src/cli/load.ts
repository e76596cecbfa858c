// Loads a topology file for a command: prints its diagnostics, and stops (exit 1) when it is invalid.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { readInputFile } from '../host/read-input.js';
import { formatDiagnostics } from '../present/diagnostics.js';
import { loadTopologyWith, MAX_TOPOLOGY_BYTES, type LoadResult, type SchemaCheck } from '../topology/load-text.js';
import { quickTopology } from '../topology/schema-quick.js';
import type { Topology } from '../topology/types.js';
import { CliError, EXIT } from './exit-codes.js';
import type { Input } from './io.js';

const tooLarge = (file: string) =>
  new CliError(`cannot read topology file ${file}: it is larger than ${MAX_TOPOLOGY_BYTES >> 20} MiB, the most lbctl reads`, EXIT.noInput);

/** The file name that means standard input. */
const STDIN = '-';

/** How messages name a topology file: standard input as `<stdin>`. */
export const topologyName = (file: string) => (file === STDIN ? '<stdin>' : file);

/** A pipe or device (`<(generate)`, /dev/stdin, standard input) read up to the size limit: it may never end. */
async function readStream(file: string, stream: Input): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_TOPOLOGY_BYTES) throw tooLarge(file);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The topology file's text (`-`: standard input); files over the size limit are refused before they are read. */
async function readTopologyText(file: string, stdin: Input): Promise<string> {
  if (file === STDIN) return readStream(topologyName(file), stdin);
  const s = await stat(file).catch(() => undefined);
  if (s?.isFile() && s.size > MAX_TOPOLOGY_BYTES) throw tooLarge(file);
  if (s !== undefined && !s.isFile() && !s.isDirectory()) return readStream(file, createReadStream(file));
  return readInputFile(file, 'topology file');
}

/** The hand schema check alone: it tells only when it accepts a document. */
const quickCheck: SchemaCheck = (input) => {
  const data = quickTopology(input);
  return data === undefined ? undefined : { data };
};

/**
 * Reads and loads a topology file (`-`: `stdin`) without judging the result (for `validate`). zod, most of a small
 * plan's start-up, is loaded only for a document the hand check does not accept.
 */
export async function readTopology(file: string, stdin: Input = process.stdin): Promise<LoadResult> {
  const name = topologyName(file);
  const text = await readTopologyText(file, stdin);
  return loadTopologyWith(quickCheck, name, text) ?? (await import('../topology/load.js')).loadTopology(name, text);
}

/** Reads a topology for commands that need a valid one; warnings go to stderr, errors end the command. */
export async function requireTopology(file: string, stderr: (s: string) => void): Promise<Topology> {
  const result = await readTopology(file);
  const report = formatDiagnostics(result.diagnostics);
  if (report !== '') stderr(report);
  if (!result.topology) throw new CliError(`${file}: invalid topology (run \`lbctl validate ${file}\`)`, EXIT.invalid);
  return result.topology;
}
