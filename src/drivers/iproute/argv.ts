// ip(8) commands written from typed values: what apply runs, what `ip -batch` reads and what the boot unit starts.
import type { Address, Link, Route } from '../../model/state.js';

/** One ip command without the program name, e.g. ["addr", "add", "10.0.0.1/32", "dev", "lo"]. */
export type IpCommand = readonly string[];

/** Sets a link's MTU and state; with no link given, takes the named device down. */
export function linkCommand(name: string, link: Link | null): IpCommand {
  if (link === null) return ['link', 'set', 'dev', name, 'down'];
  return ['link', 'set', 'dev', name, 'mtu', String(link.mtu), link.up ? 'up' : 'down'];
}

/** Adds, deletes or (idempotently, at boot) replaces an address on its device. */
export function addressCommand(verb: 'add' | 'del' | 'replace', a: Address): IpCommand {
  return ['addr', verb, a.cidr, 'dev', a.device];
}

/** Removes an address if it is there, and succeeds if it is not (a withdrawal that may be repeated). */
export function addressFlushCommand(a: Address): IpCommand {
  return ['addr', 'flush', 'dev', a.device, 'to', a.cidr];
}

/** Replaces or deletes a route; IPv6 routes name their family (a "default" destination does not), a metric is kept. */
export function routeCommand(verb: 'replace' | 'del', r: Route): IpCommand {
  const metric = r.metric === undefined ? [] : ['metric', String(r.metric)];
  return [...(r.family === 'inet6' ? ['-6'] : []), 'route', verb, r.destination, 'via', r.via, ...metric];
}

/** The command line that runs one ip command. */
export function ipArgv(command: IpCommand): string[] {
  return ['ip', ...command];
}

/** The process that runs ip commands read on stdin, one per line, stopping at the first that fails. */
export const IP_BATCH_ARGV: readonly string[] = ['ip', '-batch', '-'];

/** Commands as `ip -batch` reads them: one line each, every line ending in a newline. */
export function batchText(commands: readonly IpCommand[]): string {
  return commands.map((c) => `${c.join(' ')}\n`).join('');
}
