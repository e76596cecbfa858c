// `lbctl import keepalived|ipvsadm FILE`: a topology from what operators run today, and a report of what did not carry over.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { componentPattern, hasWildcard } from '../../import/glob.js';
import { importIpvsadm } from '../../import/ipvsadm.js';
import { importKeepalived } from '../../import/keepalived/import.js';
import type { ConfigReader } from '../../import/keepalived/preprocess.js';
import { formatNote, type ImportResult } from '../../import/report.js';
import { parseServicesFile } from '../../import/services-file.js';
import { SourceError } from '../../import/source-error.js';
import { draftTopology } from '../../import/topology-text.js';
import { readInputFile, Unreadable } from '../../host/read-input.js';
import { formatDiagnostic } from '../../present/diagnostics.js';
import { loadTopology } from '../../topology/load.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';

/** Options of both import subcommands. */
export interface ImportOptions {
  out?: string;
}

/** Options of `lbctl import keepalived`. */
export interface KeepalivedImportOptions extends ImportOptions {
  configId?: string;
}

/** Options of `lbctl import ipvsadm`. */
export interface IpvsadmImportOptions extends ImportOptions {
  services: string;
}

/** The entries of a directory, or none when it cannot be read. */
function entries(dir: string): string[] {
  try {
    return readdirSync(dir === '' ? '.' : dir);
  } catch {
    return [];
  }
}

const child = (dir: string, name: string) => (dir === '' ? name : dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`);
const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() === true;

/** The files a glob pattern matches, component by component, each level sorted as glob(3) sorts. */
function globFiles(pattern: string): string[] {
  let paths = [pattern.startsWith('/') ? '/' : ''];
  for (const part of pattern.split('/').filter((p) => p !== '')) {
    if (!hasWildcard(part)) {
      paths = paths.map((p) => child(p, part));
      continue;
    }
    const re = componentPattern(part);
    paths = paths.flatMap((dir) =>
      entries(dir)
        .filter((n) => re.test(n))
        .sort()
        .map((n) => child(dir, n)),
    );
  }
  return paths.filter(isFile);
}

/** keepalived's includes, from the file system. */
const fileReader: ConfigReader = {
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Unreadable(`cannot read included file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
  },
  glob: globFiles,
};

/** Runs an importer; unreadable input (file:line:col) ends the command with exit 65. */
function imported(read: () => ImportResult): ImportResult {
  try {
    return read();
  } catch (err) {
    if (err instanceof SourceError) throw new CliError(`cannot import ${err.message}`, EXIT.badData);
    throw err;
  }
}

/** Writes the topology (to --out or stdout) and the report (stderr); an import that does not validate is a bug. */
async function finish(file: string, tool: string, result: ImportResult, opts: ImportOptions, io: Io): Promise<number> {
  const draft = draftTopology(result, `Imported by \`lbctl import ${tool}\` from ${file}.`);
  const check = loadTopology(opts.out ?? 'imported.yaml', draft.yaml);
  if (check.topology === undefined)
    throw new Error(`the imported topology does not validate:\n${check.diagnostics.map(formatDiagnostic).join('\n')}`);
  if (opts.out === undefined) io.out(draft.yaml);
  else await writeFile(opts.out, draft.yaml);
  for (const note of draft.notes) io.err(`${formatNote(note)}\n`);
  const count = (kind: string) => draft.notes.filter((n) => n.kind === kind).length;
  io.err(
    `${file}: ${check.topology.services.length} service(s) imported${opts.out === undefined ? '' : ` into ${opts.out}`}; ${count('not-imported')} not imported, ${count('adjusted')} adjusted, ${count('fill-in')} to fill in\n`,
  );
  return EXIT.ok;
}

/** `lbctl import keepalived FILE`. */
export async function importKeepalivedCommand(file: string, opts: KeepalivedImportOptions, io: Io): Promise<number> {
  const text = await readInputFile(file, 'keepalived configuration');
  const options = opts.configId === undefined ? { reader: fileReader } : { reader: fileReader, configId: opts.configId };
  return finish(
    file,
    'keepalived',
    imported(() => importKeepalived(file, text, options)),
    opts,
    io,
  );
}

/** `lbctl import ipvsadm FILE`. */
export async function importIpvsadmCommand(file: string, opts: IpvsadmImportOptions, io: Io): Promise<number> {
  const text = await readInputFile(file, 'ipvsadm-save dump');
  const services = parseServicesFile(await readInputFile(opts.services, 'services table'));
  return finish(
    file,
    'ipvsadm',
    imported(() => importIpvsadm(file, text, services)),
    opts,
    io,
  );
}
