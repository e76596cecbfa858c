// A host whose probe was read ahead, with the facts and the ledger, in the same round trip: a live plan over SSH then
// costs one session per host instead of two. A gather that asks only for what was read then is answered from it;
// anything else (the IPVS tables of a director, sysctls the ledger restores, files lbctl owns but no longer wants)
// goes to the host. For one read-only moment: what was read ahead is never read again.
import type { Batch, CommandResult, FoundFile, Gathered, Host, HostFacts } from './port.js';

/** What was read ahead: the batch asked and its answers. */
export interface ReadAhead {
  batch: Required<Pick<Batch, 'commands' | 'files'>>;
  results: CommandResult[];
  files: (FoundFile | null)[];
  facts: HostFacts;
}

const key = (argv: readonly string[]) => JSON.stringify(argv);

/** `host`, with gathers answered from `ahead` when they ask for nothing more. */
export function readAhead(host: Host, ahead: ReadAhead): Host {
  const results = new Map(ahead.batch.commands.map((argv, i) => [key(argv), ahead.results[i]!]));
  const files = new Map(ahead.batch.files.map((path, i) => [path, ahead.files[i] ?? null]));
  const gather = async (batch: Batch): Promise<Gathered> => {
    const commands = batch.commands ?? [];
    const paths = batch.files ?? [];
    if (!commands.every((argv) => results.has(key(argv))) || !paths.every((p) => files.has(p))) return host.gather(batch);
    return {
      results: commands.map((argv) => results.get(key(argv))!),
      files: paths.map((p) => files.get(p)!),
      ...(batch.facts ? { facts: ahead.facts } : {}),
    };
  };
  return {
    label: host.label,
    live: host.live,
    run: (argv, options) => host.run(argv, options),
    read: (path) => host.read(path),
    write: (file, options) => host.write(file, options),
    remove: (path, options) => host.remove(path, options),
    lock: (what) => host.lock(what),
    checkConfig: (file) => host.checkConfig(file),
    facts: () => host.facts(),
    gather,
    missingTools: (tools) => host.missingTools(tools),
    unwritable: (dirs, bytes) => host.unwritable(dirs, bytes),
  };
}
