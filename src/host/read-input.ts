// Reading the operator's input files, with errors that say what could not be read and why.
import { readFile } from 'node:fs/promises';
import { reasonOf } from './errno.js';

/** An input the operator named cannot be read (the CLI turns it into exit code 66). */
export class Unreadable extends Error {}

/** Reads a text file the operator named; a missing or unreadable file is an Unreadable error. */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new Unreadable(`cannot read ${what} ${path}: ${reasonOf(err)}`, { cause: err });
  }
}
