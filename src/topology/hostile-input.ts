// Guards against hostile topology text, each linear in the file: alias bombs, nesting deeper than the parsers'
// stack, and "__proto__" keys (which the schema's records would drop silently).
import { error, type Diagnostic, type Position } from './diagnostics.js';
import { positionsIn } from './text-locate.js';

/** One diagnostic of a whole file, at a position. */
export function fileProblem(file: string, d: Diagnostic, position: Position = { line: 1, col: 1 }): Diagnostic {
  return { ...d, file, position };
}

/** An alias (`*name`), roughly (quotes and comments are not told apart): where an alias bomb is reported. */
const ALIAS = /(^|[\s[{,:-])\*[^\s,[\]{}]/m;

/**
 * True when `value`, its aliases expanded, holds more values than its text could spell out without aliases (four
 * times its length, room for anchors used as intended): an alias bomb ("billion laughs"), or an alias cycle.
 * js-yaml shares aliased values rather than copying them, so only a walk such as the schema check's would explode.
 */
export function expandsTooMuch(value: unknown, text: string): boolean {
  // Without a "*" the text has no alias, and nothing expands.
  if (!text.includes('*')) return false;
  let budget = 4 * text.length + 1000;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (--budget < 0) return true;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (typeof v === 'object' && v !== null) for (const key in v) stack.push((v as Record<string, unknown>)[key]);
  }
  return false;
}

/** The alias-bomb diagnostic, at the file's first alias. */
export function aliasBomb(file: string, text: string): Diagnostic {
  const d = error(
    'yaml-alias-expansion',
    [],
    'aliases (*name) in this file expand to far more values than the file holds: an alias bomb or an alias cycle',
    'write the values out, or use each anchor a few times only',
  );
  const at = ALIAS.exec(text);
  return fileProblem(file, d, positionsIn(text)(at ? at.index + at[1]!.length : 0));
}

/** Deeper flow nesting ([ and { inside each other) than any topology needs: the parsers recurse per level. */
const MAX_FLOW_DEPTH = 64;

/** What the depth scan stops at: brackets, the starts of quoted strings, and "#" (a comment after whitespace). */
const FLOW_SIGNIFICANT = /[[\]{}"'#]/g;

/**
 * The offset where flow collections nest deeper than MAX_FLOW_DEPTH, or -1; a linear scan that skips quoted
 * strings and comments. Nesting by indentation costs a line per level, so a file under the size cap stays shallow.
 * It jumps from one significant character to the next (a regex search, not a step per character in JavaScript).
 */
export function tooDeepAt(text: string): number {
  let depth = 0;
  const significant = new RegExp(FLOW_SIGNIFICANT);
  // Each match is one character, so lastIndex - 1 is where it is: no match array per bracket.
  while (significant.test(text)) {
    const i = significant.lastIndex - 1;
    const c = text[i];
    if (c === '[' || c === '{') {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '"') {
      let j = i;
      while (++j < text.length && text[j] !== '"') j += text[j] === '\\' ? 1 : 0;
      significant.lastIndex = j + 1;
    } else if (c === "'") significant.lastIndex = endOrLength(text, text.indexOf("'", i + 1)) + 1;
    else if (i === 0 || /\s/.test(text[i - 1]!)) significant.lastIndex = endOrLength(text, text.indexOf('\n', i));
  }
  return -1;
}

/** An indexOf result, with "not found" as the end of the text. */
const endOrLength = (text: string, index: number) => (index < 0 ? text.length : index);

/** Nesting deeper than the parsers' recursion can follow, at `offset` (unknown: -1, the stack ran out). */
export function tooDeep(file: string, text: string, offset: number): Diagnostic {
  const d = error(
    'yaml-too-deep',
    [],
    `the YAML nests more than ${MAX_FLOW_DEPTH} levels deep`,
    'a topology needs a few levels of nesting: check that this is a topology file',
  );
  return fileProblem(file, d, offset < 0 ? undefined : positionsIn(text)(offset));
}

/**
 * Keys named "__proto__": the schema's records drop them silently (a host of that name would vanish). One path is
 * extended and shortened in place as the walk goes (a big topology has 100,000s of values); a finding copies it.
 */
export function prototypeKeys(value: unknown, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  // A key is "__proto__" only where the text spells it, or writes it with escapes in a double-quoted key.
  if (!text.includes('__proto__') && !text.includes('\\')) return out;
  const path: (string | number)[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        walk(node[i]);
        path.pop();
      }
      return;
    }
    for (const key of Object.keys(node)) {
      path.push(key);
      if (key === '__proto__')
        out.push({
          ...error(
            'name-invalid',
            [...path],
            '"__proto__" cannot be used as a name or key',
            'rename it: letters, digits, "-" and "_", starting with a letter',
          ),
          atKey: true,
        });
      walk((node as Record<string, unknown>)[key]);
      path.pop();
    }
  };
  walk(value);
  return out;
}
