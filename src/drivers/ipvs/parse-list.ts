// Parser of `ipvsadm -Ln --thresholds`: per-destination thresholds and connection counts,
// which `ipvsadm-save` does not print (needed to compare -x/-y and to finish draining).
import { destinationKey, serviceKey } from '../../model/keys.js';
import type { IpvsServiceId } from '../../model/state.js';
import { ParseError } from '../parse-error.js';
import { parseEndpoint, parseFwmark, parseUint, type Fail } from './values.js';

const SOURCE = 'ipvsadm -Ln --thresholds';
const PROTOCOLS = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' } as const;

/** What the listing tells about one destination. */
export interface DestinationCounters {
  upper: number;
  lower: number;
  activeConns: number;
  inactiveConns: number;
}

/** Counters by service key, then by destination key. */
export type IpvsCounters = Map<string, Map<string, DestinationCounters>>;

function serviceIdOf(words: string[], fail: Fail): IpvsServiceId {
  const [proto, target] = words;
  if (proto === 'FWM')
    return { protocol: 'fwmark', mark: parseFwmark(target ?? '', fail), family: words.includes('IPv6') ? 'inet6' : 'inet' };
  const protocol = PROTOCOLS[proto as keyof typeof PROTOCOLS];
  if (protocol === undefined) fail(`unknown protocol ${JSON.stringify(proto)}`);
  const ep = parseEndpoint(target ?? '', fail);
  return { protocol, address: ep.address, port: ep.port };
}

/** The listings `ipvsadm -L` prints, told apart by the columns of their "Prot LocalAddress:Port" header. */
export type IpvsListing = 'plain' | 'thresholds' | 'persistent-conn' | 'stats' | 'rate';

const LISTING_COLUMNS: ReadonlyArray<[IpvsListing, string]> = [
  ['plain', 'Scheduler Flags'],
  ['thresholds', 'Uthreshold Lthreshold ActiveConn InActConn'],
  ['persistent-conn', 'Weight PersistConn ActiveConn InActConn'],
  ['stats', 'Conns InPkts OutPkts InBytes OutBytes'],
  ['rate', 'CPS InPPS OutPPS InBPS OutBPS'],
];

/** Which listing a "Prot LocalAddress:Port ..." header line starts; null for any other line. */
export function listingOf(line: string): IpvsListing | null {
  const words = line.trim().split(/\s+/);
  if (words[0] !== 'Prot' || words[1] !== 'LocalAddress:Port') return null;
  const columns = words.slice(2).join(' ');
  return LISTING_COLUMNS.find(([, c]) => c === columns)?.[0] ?? null;
}

/** Parses the listing; header lines are skipped, anything else unexpected throws a ParseError. */
export function parseIpvsadmThresholds(text: string): IpvsCounters {
  const out: IpvsCounters = new Map();
  let current: Map<string, DestinationCounters> | undefined;
  text.split('\n').forEach((line, i) => {
    const fail: Fail = (reason) => {
      throw new ParseError(SOURCE, i + 1, line, reason);
    };
    const words = line.trim().split(/\s+/);
    if (words[0] === 'Prot') {
      const listing = listingOf(line);
      // Other listings have the same number of columns (--persistent-conn: weight where Uthreshold belongs).
      if (listing === null) fail('a "Prot LocalAddress:Port" header with unknown columns, not the one of `ipvsadm -Ln --thresholds`');
      if (listing !== 'thresholds')
        fail(
          `this is the \`ipvsadm -Ln${listing === 'plain' ? '' : ` --${listing}`}\` listing, not \`ipvsadm -Ln --thresholds\` output: capture it with \`ipvsadm -Ln --thresholds\``,
        );
      return;
    }
    if (line.trim() === '' || line.startsWith('IP Virtual Server') || /^\s*-> RemoteAddress/.test(line)) return;
    if (words[0] === '->') {
      if (!current) fail('a destination before any service');
      if (words.length !== 6) fail('expected: -> address:port Uthreshold Lthreshold ActiveConn InActConn');
      const ep = parseEndpoint(words[1] ?? '', fail);
      const [upper = 0, lower = 0, activeConns = 0, inactiveConns = 0] = words
        .slice(2)
        .map((w) => parseUint(w, 4294967295, 'counter', fail));
      current.set(destinationKey(ep), { upper, lower, activeConns, inactiveConns });
      return;
    }
    current = new Map();
    out.set(serviceKey(serviceIdOf(words, fail)), current);
  });
  return out;
}
