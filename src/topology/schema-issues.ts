// Turns zod issues into diagnostics with stable rule ids and a fix an operator can act on, in lbctl's words: the value
// written, what is allowed instead, and the nearest allowed name when one is near (no zod wording reaches users).
import type { z } from 'zod';
import { error, type Diagnostic, type NodePath } from './diagnostics.js';
import { closest } from './suggest.js';
import { wellKnownPort } from './well-known-ports.js';

/** Rule ids for enum/range problems, by the name of the field they occur in. */
const FIELD_RULES: Record<string, { value?: string; range?: string }> = {
  scheduler: { value: 'scheduler-unknown' },
  flags: { value: 'scheduler-flag-unknown' },
  weight: { range: 'weight-range' },
  port: { range: 'port-range' },
  apiVersion: { value: 'api-version' },
  method: { value: 'method-unknown' },
  protocol: { value: 'protocol-unknown' },
  flavour: { value: 'flavour-unknown' },
  kind: { value: 'check-kind-unknown' },
  failOpen: { range: 'fail-open-range' },
  onFailure: { value: 'on-failure-unknown' },
  ha: { value: 'ha-unknown' },
};

/** How to fix each value-format rule raised by the schema's refinements. */
const FORMAT_FIXES: Record<string, string> = {
  'address-invalid': 'write an IPv4 (192.0.2.10) or IPv6 (2001:db8::10) address',
  'prefix-invalid': 'write an address with its prefix length, e.g. 192.0.2.10/24 or 2001:db8::/64',
  'name-invalid': 'rename it: letters, digits, "-" and "_", starting with a letter',
  'interface-invalid': 'use the interface name as `ip link` shows it (at most 15 characters)',
  'password-invalid': 'use printable characters without spaces, at most 64',
  'command-invalid': 'give the command as a list of plain words; lbctl runs it without a shell',
  'path-invalid': 'write an absolute directory path without ".." or special characters',
  'dns-name-invalid': 'write a DNS name of letters, digits and "-" separated by dots',
};

/** What each type zod names looks like in a YAML file. */
const TYPE_WORDS: Record<string, string> = {
  string: 'a text value',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping ("key: value" lines or { key: value })',
  record: 'a mapping ("key: value" lines or { key: value })',
  array: 'a list ("- item" lines or [a, b])',
  tuple: 'a list ("- item" lines or [a, b])',
};

/** The part of a zod schema's definition walked to find the keys a mapping may hold. */
interface SchemaDef {
  type: string;
  shape?: Record<string, Walkable>;
  valueType?: Walkable;
  element?: Walkable;
  items?: Walkable[];
  innerType?: Walkable;
  in?: Walkable;
  options?: Walkable[];
}

/** A zod schema, as far as `keysAt` looks into it. */
interface Walkable {
  _zod: { def: SchemaDef };
}

/** The schemas a value at `path` may be checked against (several below a union). */
function schemasAt(schema: Walkable, path: NodePath): Walkable[] {
  const def = schema._zod.def;
  const inner = def.innerType ?? def.in;
  if (inner !== undefined) return schemasAt(inner, path);
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => schemasAt(o, path));
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  const next =
    def.type === 'object'
      ? def.shape?.[String(head)]
      : def.type === 'record'
        ? def.valueType
        : def.type === 'array'
          ? def.element
          : def.type === 'tuple' && typeof head === 'number'
            ? def.items?.[head]
            : undefined;
  return next === undefined ? [] : schemasAt(next, rest);
}

/** The keys a mapping at `path` may hold, as the schema lists them. */
function keysAt(schema: Walkable, path: NodePath): string[] {
  return [...new Set(schemasAt(schema, path).flatMap((s) => Object.keys(s._zod.def.shape ?? {})))];
}

function fieldOf(path: NodePath): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'string') return seg;
  }
  return '';
}

function describeRange(issue: z.core.$ZodIssue): string {
  const bound = 'minimum' in issue ? issue.minimum : 'maximum' in issue ? issue.maximum : undefined;
  const kind = issue.code === 'too_big' ? 'at most' : 'at least';
  return bound === undefined ? 'use a value within range' : `use a value ${kind} ${String(bound)}`;
}

/** The value at a path of the parsed input (undefined when absent). */
function valueAt(input: unknown, path: NodePath): unknown {
  return path.reduce<unknown>(
    (v, seg) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined),
    input,
  );
}

/** A value as the operator wrote it: a quoted text, a number, or the kind of structure it is. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'a mapping';
}

/** How to write the value a field of the wrong type should have had. */
function typeFix(field: string, expected: string, value: unknown): string {
  if (expected === 'number' && typeof value === 'string') {
    if (/^\d+$/.test(value.trim())) return `write ${value.trim()} without quotes`;
    const port = field === 'port' ? wellKnownPort(value) : undefined;
    if (port !== undefined) return `write the port number: ${port} (${value})`;
  }
  return `write ${TYPE_WORDS[expected] ?? expected} here`;
}

/**
 * The issues a union's value is really about. A value of the type of exactly one form (a mapping where a text or a
 * mapping is accepted) gets that form's issues, so a misspelt key is reported as such; the forms' allowed values are
 * merged into one list; otherwise the union is one issue.
 */
function unionIssues(issue: z.core.$ZodIssue & { code: 'invalid_union' }, path: NodePath): z.core.$ZodIssue[] {
  const atRoot = (i: z.core.$ZodIssue) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value');
  const fitting = issue.errors.filter((branch) => !branch.some(atRoot));
  const [only] = fitting;
  if (fitting.length === 1 && only !== undefined) return only.map((i) => ({ ...i, path: [...path, ...i.path] }));
  const roots = issue.errors.flat().filter(atRoot);
  if (roots.length > 0 && roots.every((i) => i.code === 'invalid_value'))
    return [{ ...roots[0]!, path: [...path], values: roots.flatMap((i) => (i.code === 'invalid_value' ? i.values : [])) }];
  return [{ ...issue, path: [...path] }];
}

/** Every issue with its absolute path, unions opened up (see unionIssues). */
function flatten(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((i) => {
    const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (i.code !== 'invalid_union') return [{ ...i, path }];
    const opened = unionIssues(i, path);
    return opened.length === 1 && opened[0]!.code === 'invalid_union' ? opened : flatten(opened);
  });
}

/** The allowed values of an enum, the value written, and the nearest allowed one. */
function valueDiagnostic(field: string, path: NodePath, value: unknown, allowed: readonly unknown[]): Diagnostic {
  const rule = FIELD_RULES[field]?.value ?? 'value-invalid';
  const names = allowed.map((v) => String(v));
  const message = names.length === 1 ? `${shown(value)} is not ${names[0]}` : `${shown(value)} is not one of ${names.join(', ')}`;
  const near = typeof value === 'string' ? closest(value, names) : undefined;
  const fix =
    near === undefined
      ? `use one of: ${names.join(', ')}`
      : near.toLowerCase() === String(value).toLowerCase()
        ? `write "${near}" (values are case-sensitive)`
        : `did you mean "${near}"?`;
  return error(rule, path, message, fix);
}

/** A key the schema does not know, with the nearest it does. */
function unknownKey(path: NodePath, key: string, allowed: readonly string[]): Diagnostic {
  const near = closest(key, allowed);
  const fix =
    near !== undefined
      ? `rename it to "${near}"`
      : allowed.length > 0
        ? `remove it; the keys allowed here are ${allowed.join(', ')}`
        : 'remove it (`lbctl schema` lists every key)';
  return {
    ...error('unknown-key', [...path, key], `unknown key "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`, fix),
    atKey: true,
  };
}

function fromIssue(schema: Walkable, issue: z.core.$ZodIssue, input: unknown): Diagnostic[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const field = fieldOf(path);
  const value = valueAt(input, path);
  if (issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_key' && path.length > 0 && value === undefined) {
    return [error('required', path, `"${field}" is required`, `add "${field}:" here (see \`lbctl schema\`)`)];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(schema, path);
      return issue.keys.map((key) => unknownKey(path, key, allowed));
    }
    case 'invalid_key':
      return issue.issues
        .flatMap((inner) => fromIssue(schema, { ...inner, path: [] }, undefined))
        .map((d) => ({
          ...d,
          path,
          message: d.message.replace(/^"[^"]*": /, `key "${field}": `),
          atKey: true,
        }));
    case 'invalid_type':
      return [
        error(
          'type',
          path,
          `"${field}" should be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${shown(value)}`,
          typeFix(field, issue.expected, value),
        ),
      ];
    case 'invalid_value':
      return [valueDiagnostic(field, path, value, issue.values)];
    case 'too_big':
    case 'too_small': {
      const rule = FIELD_RULES[field]?.range ?? 'range';
      if (issue.origin === 'array') {
        const bound = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
        const most = issue.code === 'too_big' ? 'at most' : 'at least';
        return [
          error(
            rule,
            path,
            `"${field}" needs ${most} ${bound} ${bound === 1 ? 'entry' : 'entries'}`,
            issue.code === 'too_big' ? 'remove entries' : 'add entries',
          ),
        ];
      }
      return [error(rule, path, `"${field}" is out of range: ${shown(value)}`, describeRange(issue))];
    }
    case 'custom': {
      const rule = typeof issue.params?.rule === 'string' ? issue.params.rule : 'format';
      return [error(rule, path, `"${field}": ${issue.message}`, FORMAT_FIXES[rule] ?? 'correct the value (see `lbctl schema`)')];
    }
    case 'invalid_union': {
      const forms = [
        ...new Set(issue.errors.flat().flatMap((i) => (i.path.length === 0 && i.code === 'invalid_type' ? [i.expected] : []))),
      ];
      const words = forms.map((f) => TYPE_WORDS[f] ?? f).join(', or ');
      return [
        error(
          'type',
          path,
          words === '' ? `"${field}" has neither of the accepted forms` : `"${field}" should be ${words}, not ${shown(value)}`,
          'see `lbctl schema` for the short and the long form',
        ),
      ];
    }
    default:
      return [error('schema', path, `"${field}" is not valid here: ${shown(value)}`, 'correct the value (see `lbctl schema`)')];
  }
}

/**
 * Diagnostics for every zod issue of `input` against `schema` (refinements carry their own rule id in params). A
 * required key missing beside an unknown key that is its misspelling is one problem: only the unknown key is reported.
 */
export function diagnosticsFromZod(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], input: unknown): Diagnostic[] {
  const walkable = schema as unknown as Walkable;
  const flat = flatten(issues);
  const misspelt = new Set(
    flat.flatMap((i) => {
      if (i.code !== 'unrecognized_keys') return [];
      const allowed = keysAt(walkable, i.path as NodePath);
      return i.keys.flatMap((k) => {
        const near = closest(k, allowed);
        return near === undefined ? [] : [JSON.stringify([...i.path, near])];
      });
    }),
  );
  return flat
    .filter((i) => !(i.code === 'invalid_type' && misspelt.has(JSON.stringify(i.path)) && valueAt(input, i.path as NodePath) === undefined))
    .flatMap((i) => fromIssue(walkable, i, input));
}
