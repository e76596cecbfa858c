// Reading the operator's input files, with errors that say what could not be read and why.
import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from '../cli/exit-codes.js';

/** Reads a text file the operator named; a missing or unreadable file is a CliError (exit 66). */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(err);
    throw new CliError(`cannot read ${what} ${path}: ${why}`, EXIT.noInput);
  }
}
