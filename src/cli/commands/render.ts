// `lbctl render FILE --host NAME --out DIR`: writes the files a host would get, under DIR.
import { writeTree } from '../../host/write-tree.js';
import { desiredStates } from '../../desired/desired.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { visible } from '../../present/visible.js';
import { requireTopology } from '../load.js';

/** Runs render; prints each file written. */
export async function renderCommand(file: string, opts: { host: string; out: string }, io: Io): Promise<number> {
  const desired = desiredStates(await requireTopology(file, io.err));
  const state = desired.get(opts.host);
  if (!state) throw new CliError(`unknown host ${opts.host}; the topology has: ${[...desired.keys()].join(', ')}`, EXIT.usage);
  for (const path of await writeTree(opts.out, state.files)) io.out(`wrote ${visible(path)}\n`);
  if (state.files.length === 0) io.out(`host ${opts.host} gets no files\n`);
  return EXIT.ok;
}
