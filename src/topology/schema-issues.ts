// Turns zod issues into diagnostics with stable rule ids and a fix an operator can act on.
import type { z } from 'zod';
import { error, type Diagnostic, type NodePath } from './diagnostics.js';

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

function fromIssue(issue: z.core.$ZodIssue, input: unknown): Diagnostic[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const field = fieldOf(path);
  if (issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_key' && path.length > 0 && valueAt(input, path) === undefined) {
    return [error('required', path, `"${field}" is required`, `add "${field}:" here (see \`lbctl schema\`)`)];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        ...error(
          'unknown-key',
          [...path, key],
          `unknown key "${key}"`,
          'remove it or correct its spelling (`lbctl schema` lists every key)',
        ),
        atKey: true,
      }));
    case 'invalid_key':
      return issue.issues
        .flatMap((inner) => fromIssue({ ...inner, path: [] }, undefined))
        .map((d) => ({
          ...d,
          path,
          message: d.message.replace(/^"[^"]*": /, `key "${field}": `),
          atKey: true,
        }));
    case 'invalid_type':
      return [error('type', path, `"${field}": ${issue.message.toLowerCase()}`, `write a ${issue.expected} here`)];
    case 'invalid_value': {
      const rule = FIELD_RULES[field]?.value ?? 'value-invalid';
      const values = issue.values.map((v) => String(v)).join(', ');
      return [error(rule, path, `"${field}" has a value that is not allowed`, `use one of: ${values}`)];
    }
    case 'too_big':
    case 'too_small': {
      const rule = FIELD_RULES[field]?.range ?? 'range';
      const what =
        issue.origin === 'array' ? `"${field}" has too ${issue.code === 'too_big' ? 'many' : 'few'} entries` : `"${field}" is out of range`;
      return [error(rule, path, what, issue.origin === 'array' ? 'add or remove entries' : describeRange(issue))];
    }
    case 'invalid_format':
    case 'custom': {
      const rule = (issue.code === 'custom' && typeof issue.params?.rule === 'string' ? issue.params.rule : undefined) ?? 'format';
      return [error(rule, path, `"${field}": ${issue.message}`, FORMAT_FIXES[rule] ?? 'correct the value (see `lbctl schema`)')];
    }
    case 'invalid_union':
      return [error('type', path, `"${field}" has neither of the accepted forms`, 'see `lbctl schema` for the short and the long form')];
    default:
      return [error('schema', path, issue.message, 'correct the value (see `lbctl schema`)')];
  }
}

/** Diagnostics for every zod issue of `input` (refinements carry their own rule id in params). */
export function diagnosticsFromZod(issues: readonly z.core.$ZodIssue[], input: unknown): Diagnostic[] {
  return issues.flatMap((i) => fromIssue(i, input));
}
