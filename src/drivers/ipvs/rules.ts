// The ipvsadm argument vocabulary: services and destinations as argument lists, and the rules file.
import { endpoint } from '../../model/keys.js';
import type { IpvsDestination, IpvsForward, IpvsService, IpvsServiceAttrs, IpvsServiceId } from '../../model/state.js';

const PROTOCOL_FLAG = { tcp: '-t', udp: '-u', sctp: '--sctp-service' } as const;
const FORWARD_FLAG: Record<IpvsForward, string> = { masq: '-m', gate: '-g', ipip: '-i' };

/** Arguments that select a virtual service: "-t 10.0.0.1:80", "-f 7" or "-f 7 -6". */
export function serviceSelector(id: IpvsServiceId): string[] {
  if (id.protocol === 'fwmark') return id.family === 'inet6' ? ['-f', String(id.mark), '-6'] : ['-f', String(id.mark)];
  return [PROTOCOL_FLAG[id.protocol], endpoint(id.address, id.port)];
}

/** Arguments for a service's editable attributes (-s, -b, -p/-M, -o). */
export function serviceAttrArgs(attrs: IpvsServiceAttrs): string[] {
  const args = ['-s', attrs.scheduler];
  if (attrs.flags.length > 0) args.push('-b', attrs.flags.join(','));
  if (attrs.persistence) args.push('-p', String(attrs.persistence.timeout), '-M', attrs.persistence.netmask);
  if (attrs.onePacket) args.push('-o');
  return args;
}

/** Arguments for a destination's editable attributes (-r, method, -w, -x, -y). */
export function destinationArgs(d: IpvsDestination): string[] {
  const args = ['-r', endpoint(d.address, d.port), FORWARD_FLAG[d.forward], '-w', String(d.weight)];
  if (d.upper > 0) args.push('-x', String(d.upper));
  if (d.lower > 0) args.push('-y', String(d.lower));
  return args;
}

/** The ipvsadm-restore text for a set of services (what /etc/ipvsadm.rules holds). */
export function ipvsadmRules(services: readonly IpvsService[]): string {
  const lines: string[] = [];
  for (const s of services) {
    const sel = serviceSelector(s.id).join(' ');
    lines.push(`-A ${sel} ${serviceAttrArgs(s).join(' ')}`);
    for (const d of s.destinations) lines.push(`-a ${sel} ${destinationArgs(d).join(' ')}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
