// Parser of `sysctl -a` output ("key = value" lines) into values as `sysctl -w` would accept them.

import { ParseError } from '../parse-error.js';

/** A value as parseSysctl gives it: trimmed, whitespace runs collapsed to one space (sysctl prints tabs between numbers). */
export function sysctlValue(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Every key's value, whitespace runs collapsed to one space; "sysctl: ..." stderr lines are ignored. */
export function parseSysctl(text: string): Record<string, string> {
  const values = new Map<string, string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('sysctl: ')) return;
    const match = /^([A-Za-z0-9_][^\s=]*) = ?(.*)$/.exec(line);
    if (match === null) throw new ParseError('sysctl -a', index + 1, line, 'expected "key = value"');
    const [, key = '', value = ''] = match;
    const normalised = sysctlValue(value);
    // Multi-line values (dev.cdrom.info) come as one "key = line" per line: keep them all, in order.
    const earlier = values.get(key);
    values.set(key, earlier === undefined ? normalised : `${earlier}\n${normalised}`);
  });
  return Object.fromEntries(values);
}
