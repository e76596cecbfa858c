// What an apply says when it ends, for people: shared by `lbctl apply` and the lab, so both say the same.
import type { ApplyResult } from '../host/apply.js';
import { drainNote } from '../plan/plan.js';
import { describeChange } from './describe.js';

/** The closing lines of an apply on host `name` (stdout), one per line, without newlines. */
export function applyClosing(name: string, result: ApplyResult): string[] {
  switch (result.kind) {
    case 'unchanged':
      return [`host ${name} matches the topology: nothing to do`];
    case 'declined':
      return ['nothing changed'];
    case 'converged':
      if (result.ledgerError !== undefined) {
        return [
          `applied ${result.applied.length} change(s) on host ${name}, but its ledger was not updated (${result.ledgerError}): what lbctl created is recorded; fix that and apply again`,
        ];
      }
      return [
        ...result.draining.map(drainNote),
        `applied ${result.applied.length} change(s) with ${result.processes} process(es); host ${name} verified converged`,
      ];
    default:
      return [];
  }
}

/** Why an apply failed, for stderr: the change, the error, what rollback did. */
export function applyFailure(result: Extract<ApplyResult, { kind: 'failed' }>): string[] {
  const head =
    result.cause === 'interrupted'
      ? `apply interrupted before: ${describeChange(result.change)}`
      : `apply failed at: ${describeChange(result.change)}`;
  return [
    head,
    `  ${result.error.message.replace(/\n/g, '\n  ')}`,
    `rolled back ${result.rolledBack} change(s) in reverse order`,
    ...result.notUndone.map((n) => `  not undone: ${n}`),
  ];
}
