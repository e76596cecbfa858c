// The hosts a command line names (`--host a,b`, `--host a --host b`), checked against the topology.
import { InvalidArgumentError } from 'commander';
import { CliError, EXIT } from './exit-codes.js';

/** Parser of a repeatable `--host`: each value may be a comma list; the names in order, each once. */
export function hostList(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`"${value}" has an empty host name: write NAME or NAME,NAME`);
  return [...new Set([...previous, ...names])];
}

/** Parser of `--host` of a command about one host: a comma list is a usage error that says so. */
export function oneHost(value: string): string {
  if (value.includes(',')) throw new InvalidArgumentError(`this command works on one host at a time, got "${value}"`);
  return value;
}

/** Ends the command (usage error) when a name is not a host of the topology, listing the hosts it has. */
export function requireKnownHosts(names: readonly string[], known: ReadonlyMap<string, unknown>): void {
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new CliError(
      `unknown host${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the topology has: ${[...known.keys()].join(', ')}`,
      EXIT.usage,
    );
}
