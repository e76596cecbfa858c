// The errors a use case throws before it changes anything, as the exit codes and messages of the CLI.
import { Unreachable } from '../host/adapters/ssh.js';
import { LedgerUnreadable } from '../host/ledger.js';
import { NotThatHost } from '../host/live-plan.js';
import { LockHeld } from '../host/port.js';
import { Unprepared } from '../host/preflight.js';
import { CliError, EXIT } from './exit-codes.js';

/** The CLI error for a refusal (the host was left as it was), or null for anything else. */
export function refusal(err: unknown): CliError | null {
  if (err instanceof Unprepared) return new CliError(err.message, err.reason === 'not-root' ? EXIT.noPermission : EXIT.unavailable);
  if (err instanceof LockHeld) return new CliError(err.message, EXIT.locked);
  if (err instanceof LedgerUnreadable) return new CliError(err.message, EXIT.badData);
  if (err instanceof Unreachable || err instanceof NotThatHost) return new CliError(err.message, EXIT.noHost);
  return null;
}
