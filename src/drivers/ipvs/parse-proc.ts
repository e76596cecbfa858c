// Parser of /proc/net/ip_vs, the kernel's IPVS table as a file: what a process reads without starting ipvsadm. A
// service line per virtual service ("TCP  0A0A000A:0050 rr", "FWM  0000000A wlc", IPv6 as "[2001:0db8:...]:0050")
// and a line per destination ("  -> 0A0A000B:1F90      Masq    3      0          0"): addresses and ports in hex.
import { destinationKey, serviceKey } from '../../model/keys.js';
import type { IpvsServiceId } from '../../model/state.js';
import { ParseError } from '../parse-error.js';
import { procAddress, type Fail } from './values.js';

const SOURCE = '/proc/net/ip_vs';
const PROTOCOLS = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' } as const;

/** Every destination's weight, by service key and destination key ("tcp 10.0.0.100:80" → "10.0.0.11:80" → 3). */
export type ProcWeights = Map<string, Map<string, number>>;

/** "0A0A000B:1F90" or "[2001:0db8:...:0001]:0050" → address and port; null when neither. */
function endpoint(text: string): { address: string; port: number } | null {
  const m = /^\[?([0-9A-Fa-f:]+?)\]?:([0-9A-F]{4})$/.exec(text);
  const address = m ? procAddress(m[1]!) : null;
  return address === null ? null : { address, port: parseInt(m![2]!, 16) };
}

/**
 * The weights of every destination; throws a ParseError naming a line it does not understand. A fwmark service
 * counts as IPv6 when one of its destinations is (the file does not say).
 */
export function parseProcIpvs(text: string): ProcWeights {
  const out: ProcWeights = new Map();
  let current: { id: IpvsServiceId; destinations: Map<string, number> } | null = null;
  const close = () => {
    if (current) out.set(serviceKey(current.id), current.destinations);
  };
  text.split('\n').forEach((line, i) => {
    const fail: Fail = (reason) => {
      throw new ParseError(SOURCE, i + 1, line, reason);
    };
    if (line.trim() === '' || /^(IP Virtual Server version|Prot LocalAddress|\s+-> RemoteAddress)/.test(line)) return;
    const words = line.trim().split(/\s+/);
    if (words[0] === '->') {
      const to = endpoint(words[1] ?? '') ?? fail(`${JSON.stringify(words[1])} is not a hex address and port`);
      const weight = /^\d+$/.test(words[3] ?? '') ? Number(words[3]) : fail(`weight ${JSON.stringify(words[3])} is not a number`);
      if (current === null) fail('a destination before any service');
      if (current.id.protocol === 'fwmark' && to.address.includes(':')) current.id = { ...current.id, family: 'inet6' };
      current.destinations.set(destinationKey(to), weight);
      return;
    }
    close();
    const [kind = '', where = ''] = words;
    if (kind === 'FWM') {
      const mark = /^[0-9A-F]{8}$/.test(where) ? parseInt(where, 16) : fail(`fwmark ${JSON.stringify(where)} is not 8 hex digits`);
      current = { id: { protocol: 'fwmark', mark, family: 'inet' }, destinations: new Map() };
      return;
    }
    const protocol = kind in PROTOCOLS ? PROTOCOLS[kind as keyof typeof PROTOCOLS] : fail(`unknown protocol ${JSON.stringify(kind)}`);
    const at = endpoint(where) ?? fail(`${JSON.stringify(where)} is not a hex address and port`);
    current = { id: { protocol, ...at }, destinations: new Map() };
  });
  close();
  return out;
}
