// Reading a command's JSON output against zod schemas, turning any mismatch into a ParseError.
import type { z } from 'zod';
import { ParseError } from './parse-error.js';

/** Checks an already-parsed value against the schema; `at` is the value's path in the document, for the error. */
export function checkAs<T>(source: string, value: unknown, schema: z.ZodType<T>, at = '$'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new ParseError(source, null, `${at}${path}`, issue?.message ?? 'unexpected shape');
}

/** Parses JSON text and checks it against the schema; throws ParseError naming the source and the bad value's path. */
export function parseJsonAs<T>(source: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ParseError(source, null, '$', `not JSON: ${(error as Error).message}`);
  }
  return checkAs(source, value, schema);
}
