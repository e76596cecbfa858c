// ipvsadm's rule vocabulary, written from typed values: the words of -A/-E/-D/-a/-e/-d commands, which
// run as `ipvsadm <words>` and are, joined by spaces, the lines `ipvsadm -R` and ipvsadm-restore read.
import { endpoint } from '../../model/keys.js';
import type { IpvsDestination, IpvsForward, IpvsService, IpvsServiceAttrs, IpvsServiceId, SyncDaemon } from '../../model/state.js';

const PROTOCOL_FLAG = { tcp: '-t', udp: '-u', sctp: '--sctp-service' } as const;
const FORWARD_FLAG: Record<IpvsForward, string> = { masq: '-m', gate: '-g', ipip: '-i' };

/** What a rule does to its object: the same three actions a plan's changes carry. */
export type RuleAction = 'create' | 'update' | 'delete';

/** One ipvsadm command without the program name, e.g. ["-a", "-t", "10.0.0.1:80", "-r", ...]. */
export type IpvsRule = readonly string[];

const SERVICE_COMMAND: Record<RuleAction, string> = { create: '-A', update: '-E', delete: '-D' };
const DESTINATION_COMMAND: Record<RuleAction, string> = { create: '-a', update: '-e', delete: '-d' };

/** Arguments that select a virtual service: "-t 10.0.0.1:80", "-f 7" or "-f 7 -6". */
function serviceSelector(id: IpvsServiceId): string[] {
  if (id.protocol === 'fwmark') return id.family === 'inet6' ? ['-f', String(id.mark), '-6'] : ['-f', String(id.mark)];
  return [PROTOCOL_FLAG[id.protocol], endpoint(id.address, id.port)];
}

/** Arguments for a service's editable attributes (-s, -b, -p/-M, -o). */
function serviceAttrArgs(attrs: IpvsServiceAttrs): string[] {
  const args = ['-s', attrs.scheduler];
  if (attrs.flags.length > 0) args.push('-b', attrs.flags.join(','));
  if (attrs.persistence) args.push('-p', String(attrs.persistence.timeout), '-M', attrs.persistence.netmask);
  if (attrs.onePacket) args.push('-o');
  return args;
}

/** Arguments for a destination's editable attributes (method, -w, -x, -y). */
function destinationAttrArgs(d: IpvsDestination): string[] {
  const args = [FORWARD_FLAG[d.forward], '-w', String(d.weight)];
  if (d.upper > 0) args.push('-x', String(d.upper));
  if (d.lower > 0) args.push('-y', String(d.lower));
  return args;
}

/** destinationAttrArgs joined by spaces, without the array when there are no thresholds (the common case). */
function destinationAttrText(d: IpvsDestination): string {
  return d.upper > 0 || d.lower > 0 ? destinationAttrArgs(d).join(' ') : `${FORWARD_FLAG[d.forward]} -w ${d.weight}`;
}

/** The rule that creates (-A), edits (-E) or deletes (-D) a virtual service. */
export function serviceRule(action: RuleAction, s: IpvsServiceAttrs & { id: IpvsServiceId }): IpvsRule {
  const selector = serviceSelector(s.id);
  return [SERVICE_COMMAND[action], ...selector, ...(action === 'delete' ? [] : serviceAttrArgs(s))];
}

/** A real server's rule with its service's selector already written (a table writes it once per service). */
function destinationWords(action: RuleAction, selector: readonly string[], d: IpvsDestination): IpvsRule {
  const words = [DESTINATION_COMMAND[action], ...selector, '-r', endpoint(d.address, d.port)];
  if (action !== 'delete') words.push(...destinationAttrArgs(d));
  return words;
}

/** The rule that adds (-a), edits (-e) or deletes (-d) a real server of the service `id`. */
export function destinationRule(action: RuleAction, id: IpvsServiceId, d: IpvsDestination): IpvsRule {
  return destinationWords(action, serviceSelector(id), d);
}

/** The command line that runs a rule on its own. */
export function ipvsadmArgv(rule: IpvsRule): string[] {
  return ['ipvsadm', ...rule];
}

/** The process that reads rules on stdin, one per line (not ipvsadm-restore: Debian's clears the table first). */
export const IPVSADM_RESTORE_ARGV: readonly string[] = ['ipvsadm', '-R'];

/** Debian's ipvsadm-restore: clears the whole table, then reads rules on stdin (right at boot, wrong for edits). */
export const TABLE_RESTORE_ARGV: readonly string[] = ['ipvsadm-restore'];

/** Rules as `ipvsadm -R` reads them: one line each, every line ending in a newline. */
export function restoreText(rules: readonly IpvsRule[]): string {
  return rules.map((r) => `${r.join(' ')}\n`).join('');
}

/**
 * The table as ipvsadm-restore input (what /etc/ipvsadm.rules holds): every service, then its real servers. The
 * same words as serviceRule and destinationRule, written straight into the text (a big table has 100,000s of lines).
 */
export function rulesText(services: readonly IpvsService[]): string {
  // Each service's lines are joined as soon as they are written, then the services' texts: appending every line to
  // one string would build a rope of 100,000s of pieces to flatten later, and one list of every line would keep them
  // all alive until the end (the garbage collector copies them meanwhile: twice the time of this way).
  const blocks: string[] = [];
  for (const s of services) {
    const selector = serviceSelector(s.id).join(' ');
    const lines = [`${SERVICE_COMMAND.create} ${selector} ${serviceAttrArgs(s).join(' ')}\n`];
    const prefix = `${DESTINATION_COMMAND.create} ${selector} -r `;
    for (const d of s.destinations) lines.push(`${prefix}${endpoint(d.address, d.port)} ${destinationAttrText(d)}\n`);
    blocks.push(lines.join(''));
  }
  return blocks.join('');
}

/** The command line that starts an IPVS connection sync daemon (one per role on a host). */
export function syncDaemonStartArgv(d: SyncDaemon): string[] {
  return ['ipvsadm', '--start-daemon', d.role, '--mcast-interface', d.interface, '--syncid', String(d.syncId)];
}

/** The command line that stops the sync daemon of one role. */
export function syncDaemonStopArgv(role: SyncDaemon['role']): string[] {
  return ['ipvsadm', '--stop-daemon', role];
}
