// Diagnostics for people: where, the rule, the message and the fix, with control characters of values escaped.
import type { Diagnostic } from '../topology/diagnostics.js';
import { visible } from './visible.js';

/** "file:line:col: error[rule]: message" followed by an indented "fix:" line (control characters of values escaped). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file ?? '<topology>'}:${d.position?.line ?? 1}:${d.position?.col ?? 1}`;
  return `${visible(where)}: ${d.severity}[${d.rule}]: ${visible(d.message)}\n    fix: ${visible(d.fix)}`;
}

/**
 * Every diagnostic as formatDiagnostic writes it, each ending in a newline ('' for none): one text, so that a
 * command prints thousands of warnings with one write rather than a system call each.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('');
}
