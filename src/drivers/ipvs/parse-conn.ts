// Parser of /proc/net/ip_vs_conn, the director's IPVS connection table: addresses and ports in hex (IPv4 as one
// 32-bit number, IPv6 as eight colon-separated groups), the TCP state and the seconds until the entry expires.
// /proc/net/ip_vs_conn_sync is the same table with an Origin column (LOCAL, or SYNC from a peer director).
import { IPVS_TCP_STATES, type IpvsConnection, type Protocol } from '../../model/state.js';
import { ParseError } from '../parse-error.js';
import { procAddress, type Fail } from './values.js';

const SOURCE = '/proc/net/ip_vs_conn';
const HEADER = /^Pro FromIP\s+FPrt ToIP\s+TPrt DestIP\s+DPrt State\s+(Origin )?Expires( PEName PEData)?\s*$/;
const PROTOCOLS: Record<string, Protocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };
const TCP_STATES = new Set<string>(IPVS_TCP_STATES);

/** Every connection of the table; throws a ParseError naming the line it does not understand. */
export function parseIpvsConnections(text: string): IpvsConnection[] {
  const lines = text.split('\n');
  const out: IpvsConnection[] = [];
  const synced = lines[0]?.includes(' Origin ') ?? false;
  lines.forEach((line, i) => {
    const fail: Fail = (reason) => {
      throw new ParseError(SOURCE, i + 1, line, reason);
    };
    if (line.trim() === '') return;
    if (i === 0) {
      if (!HEADER.test(line)) fail('not the header of /proc/net/ip_vs_conn');
      return;
    }
    const words = line.trim().split(/\s+/);
    const [proto, from, fport, to, tport, dest, dport, state] = words;
    const expires = words[synced ? 9 : 8];
    const protocol = PROTOCOLS[proto ?? ''] ?? fail(`unknown protocol ${JSON.stringify(proto)}`);
    const endpoint = (a: string | undefined, p: string | undefined): { address: string; port: number } => {
      const addr = procAddress(a ?? '');
      if (addr === null || !/^[0-9A-F]{4}$/i.test(p ?? '')) fail(`${JSON.stringify(`${a} ${p}`)} is not a hex address and port`);
      return { address: addr, port: parseInt(p!, 16) };
    };
    const client = endpoint(from, fport);
    const virtual = endpoint(to, tport);
    const destination = endpoint(dest, dport);
    if (!/^\d+$/.test(expires ?? '')) fail(`expiry ${JSON.stringify(expires)} is not a number of seconds`);
    // UDP entries show "UDP"; SCTP has states of its own, which nothing here reads.
    const tcpState = protocol !== 'tcp' ? null : TCP_STATES.has(state ?? '') ? (state as IpvsConnection['state']) : undefined;
    if (tcpState === undefined) fail(`unknown TCP state ${JSON.stringify(state)}`);
    out.push({ protocol, client, virtual, destination, state: tcpState, expiresS: Number(expires) });
  });
  return out;
}
