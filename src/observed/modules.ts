// Parser of /proc/modules: the names of the loaded kernel modules.

import { ParseError } from '../drivers/parse-error.js';

/** Names of the loaded modules, sorted and unique. Lines are "name size refcount deps state address [taint]". */
export function parseProcModules(text: string): string[] {
  const names = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const match = /^([A-Za-z0-9_]+) \d+ (?:\d+|-) \S+ (?:Live|Loading|Unloading) 0x[0-9a-f]+(?: \(\S+\))?$/.exec(line);
    if (match?.[1] === undefined)
      throw new ParseError('/proc/modules', index + 1, line, 'expected "name size refcount deps state address"');
    names.add(match[1]);
  });
  return [...names].sort();
}
