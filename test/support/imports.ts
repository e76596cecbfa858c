// What a source file depends on: the module specifiers it imports and whether it touches process.

/** Every module specifier a source imports, statically or dynamically, and "process" when it uses process. */
export function dependencies(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
  return [...specifiers, ...(/\bprocess\s*[.[]/.test(source) ? ['process'] : [])];
}
