// What a source file depends on: the module specifiers it imports and whether it touches process.
import ts from 'typescript';

/** Every module specifier a source imports or re-exports, statically or dynamically, and "process" when it uses process. */
export function dependencies(source: string): string[] {
  const specifiers = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
  return [...specifiers, ...(/\bprocess\s*[.[]/.test(source) ? ['process'] : [])];
}
