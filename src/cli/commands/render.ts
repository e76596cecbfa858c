// `lbctl render FILE --host NAME --out DIR`: writes the files a host would get, under DIR.
import { writeTree } from '../../host/write-tree.js';
import { desiredStates } from '../../desired/desired.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { visible } from '../../present/visible.js';
import { requireKnownHosts } from '../hosts.js';
import { requireTopology } from '../load.js';

/** Runs render; prints each file written. */
export async function renderCommand(file: string, opts: { host: string; out: string }, io: Io): Promise<number> {
  if (opts.out === '-')
    throw new CliError(
      `render writes several files, which standard output cannot hold: name a directory (--out DIR), or see them with \`lbctl plan ${file} --host ${opts.host} --offline\``,
      EXIT.usage,
    );
  const desired = desiredStates(await requireTopology(file, io.err));
  requireKnownHosts([opts.host], desired);
  const state = desired.get(opts.host)!;
  for (const path of await writeTree(opts.out, state.files)) io.out(`wrote ${visible(path)}\n`);
  if (state.files.length === 0) io.out(`host ${opts.host} gets no files\n`);
  return EXIT.ok;
}
