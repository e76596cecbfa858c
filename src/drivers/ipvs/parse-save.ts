// Parser of `ipvsadm-save -n` (= `ipvsadm -Sn`) output: the kernel's IPVS table as HostState services.
import { compareDestinations, destinationKey, serviceKey, sortedValues } from '../../model/keys.js';
import type { Family, IpvsDestination, IpvsForward, IpvsService, IpvsServiceId } from '../../model/state.js';
import { listingOf } from './parse-list.js';
import { type IpvsOption, type IpvsOptions, tokenizeRule } from './options.js';
import {
  canonicalV4Endpoint,
  type V4Endpoint,
  type Fail,
  parseEndpoint,
  parseFwmark,
  parsePersistence,
  parseSchedFlags,
  parseUint,
} from './values.js';
import { ParseError } from '../parse-error.js';

const SOURCE = 'ipvsadm-save';

/** Parsed services plus what the table holds that HostState cannot represent (persistence engines, gue/gre tunnels). */
export interface IpvsSaveParse {
  services: IpvsService[];
  unmodelled: string[];
}

/** A service being assembled: its id, key, family and real servers by key. */
interface Entry {
  id: IpvsServiceId;
  key: string;
  family: Family;
  service?: IpvsService;
  /** Its real servers in the order of the table, where their lines start in the text, and their ranks (see V4Endpoint). */
  destinations: IpvsDestination[];
  destinationStarts: number[];
  destinationRanks: number[];
}

/** The protocols a service selector names (-t, -u, --sctp-service, -f). */
const PROTOCOLS = ['tcp', 'udp', 'sctp', 'fwmark'] as const;
type Protocol = (typeof PROTOCOLS)[number];

/** The id and family of the service a rule line names. */
function serviceIdOf(protocol: Protocol, value: string, ipv6: boolean, fail: Fail): { id: IpvsServiceId; family: Family } {
  if (protocol === 'fwmark') {
    const family: Family = ipv6 ? 'inet6' : 'inet';
    return { id: { protocol, mark: parseFwmark(value, fail), family }, family };
  }
  if (ipv6) fail('-6 only applies to -f services');
  const { address, port, family } = parseEndpoint(value, fail);
  return { id: { protocol, address, port }, family };
}

/**
 * The service a rule line names, as written ("-t VALUE", "-f VALUE -6"), with its entry once looked up. A table lists
 * a service's real servers right after it: the entry of the line before is reused while the selector's text is the same.
 */
interface Selector {
  protocol: Protocol;
  text: string;
  ipv6: boolean;
  entry?: Entry;
}

/** The selector of a rule line. */
function selectorOf(options: IpvsOptions, fail: Fail): Selector {
  let protocol: Protocol | undefined;
  for (const p of PROTOCOLS) {
    if (options[p] === undefined) continue;
    if (protocol !== undefined) fail('exactly one of -t, -u, --sctp-service, -f must name the service');
    protocol = p;
  }
  if (protocol === undefined) fail('exactly one of -t, -u, --sctp-service, -f must name the service');
  return { protocol, text: options[protocol] ?? '', ipv6: options.ipv6 !== undefined };
}

/** The entry of the service a selector names, created on first mention; `last` becomes this line's selector. */
function entryOf(services: Map<string, Entry>, { protocol, text, ipv6 }: Selector, last: Selector, fail: Fail): Entry {
  if (last.entry !== undefined && last.protocol === protocol && last.text === text && last.ipv6 === ipv6) return last.entry;
  const { id, family } = serviceIdOf(protocol, text, ipv6, fail);
  const key = serviceKey(id);
  let entry = services.get(key);
  if (entry === undefined) services.set(key, (entry = { id, key, family, destinations: [], destinationStarts: [], destinationRanks: [] }));
  last.protocol = protocol;
  last.text = text;
  last.ipv6 = ipv6;
  last.entry = entry;
  return entry;
}

const TUNNEL_OPTIONS = ['tunType', 'tunPort', 'tunNocsum', 'tunCsum', 'tunRemcsum'] as const;

/** True when the line names one of these options (a loop, not a closure per line). */
function hasAny(options: IpvsOptions, names: readonly IpvsOption[]): boolean {
  for (const name of names) if (options[name] !== undefined) return true;
  return false;
}

/** The forwarding method of an -a line; tunnel types other than ipip are reported as unmodelled. */
function forwardOf(options: IpvsOptions, fail: Fail, unmodelled: (note: string) => void): IpvsForward {
  const masq = options.masq !== undefined;
  const ipip = options.ipip !== undefined;
  if (Number(options.gate !== undefined) + Number(ipip) + Number(masq) > 1) fail('more than one of -g, -i, -m');
  const forward = masq ? 'masq' : ipip ? 'ipip' : 'gate';
  // Most lines name no tunnel option (100,000s of them in a big table): skip the checks below.
  if (!hasAny(options, TUNNEL_OPTIONS)) return forward;
  const tunType = options.tunType;
  const tunOptions = (['tunPort', 'tunNocsum', 'tunCsum', 'tunRemcsum'] as const).filter((o) => options[o] !== undefined);
  if (forward !== 'ipip' && (tunType !== undefined || tunOptions.length > 0)) fail('tunnel options need -i');
  if (tunType !== undefined && !['ipip', 'gue', 'gre'].includes(tunType)) fail(`unknown tunnel type ${JSON.stringify(tunType)}`);
  if ((tunType ?? 'ipip') === 'ipip' && tunOptions.length > 0) fail('ipip tunnels take no other tunnel options');
  if (tunOptions.filter((o) => o !== 'tunPort').length > 1) fail('more than one tunnel checksum option');
  if (tunType === 'gue') parseUint(options.tunPort ?? '', 65535, 'tunnel port', fail);
  if (tunType === 'gre' && options.tunPort !== undefined) fail('gre tunnels take no --tun-port');
  if (tunType === 'gue' || tunType === 'gre') unmodelled(`--tun-type ${tunType} (lbctl models ipip tunnels only)`);
  return forward;
}

/** A real server's address and port, and its rank (NaN unless a canonical IPv4 endpoint, see V4Endpoint). */
type RealServer = V4Endpoint;

/** A count option of an -a line (-w, -x, -y), or ipvsadm's default when the line omits it. */
function countOf(options: IpvsOptions, option: IpvsOption, fallback: number, what: string, fail: Fail): number {
  const text = options[option];
  return text === undefined ? fallback : parseUint(text, 2 ** 31 - 1, what, fail);
}

/**
 * A real server's address and port: a canonical IPv4 endpoint is read in place; any other is parsed once per distinct
 * address:port text of a table (real servers recur across services).
 */
function realServerOf(real: string, realServers: Map<string, RealServer>, fail: Fail): RealServer {
  const v4 = canonicalV4Endpoint(real);
  if (v4 !== null) return v4;
  let known = realServers.get(real);
  if (known === undefined) {
    const { address, port } = parseEndpoint(real, fail);
    realServers.set(real, (known = { address, port, rank: NaN }));
  }
  return known;
}

/** Fails unless an earlier -A line defined the service of a real-server line. */
function requireDefined(entry: Entry, fail: Fail): void {
  if (entry.service === undefined) fail(`real server for ${entry.key}, which no earlier -A line defines`);
}

/** A real server from an -a line; ipvsadm's defaults fill what the line omits (-g, weight 1, no thresholds). */
function destinationOf(
  options: IpvsOptions,
  realServers: Map<string, RealServer>,
  fail: Fail,
  unmodelled: (note: string) => void,
): { destination: IpvsDestination; rank: number } {
  const real = options.real;
  if (real === undefined) fail('-a needs -r');
  const { address, port, rank } = realServerOf(real, realServers, fail);
  const destination: IpvsDestination = {
    address,
    port,
    forward: forwardOf(options, fail, unmodelled),
    weight: countOf(options, 'weight', 1, 'weight', fail),
    upper: countOf(options, 'upper', 0, 'upper threshold', fail),
    lower: countOf(options, 'lower', 0, 'lower threshold', fail),
  };
  return { destination, rank };
}

/** Adds a real server to its service; one listed twice is found once the table is read (see inKeyOrder). */
function addDestination(entry: Entry, destination: IpvsDestination, start: number, rank: number): void {
  entry.destinations.push(destination);
  entry.destinationStarts.push(start);
  entry.destinationRanks.push(rank);
}

/**
 * A service's real servers in the natural order of their keys. Sorting brings a real server listed twice next to
 * itself, and it fails at its later line: no key or set of keys per real server while the table is read.
 */
function inKeyOrder(entry: Entry, failAt: (start: number, reason: string) => never): IpvsDestination[] {
  const { destinations, destinationStarts: starts, destinationRanks: ranks } = entry;
  let ordered = true;
  for (let i = 1; i < destinations.length && ordered; i++) {
    const a = ranks[i - 1]!;
    const b = ranks[i]!;
    ordered = Number.isNaN(a) || Number.isNaN(b) ? compareDestinations(destinations[i - 1]!, destinations[i]!) < 0 : a < b;
  }
  if (ordered) return destinations;
  // Equal real servers keep the order of the table (a stable sort), so the second of a pair is the later line.
  const order = destinations.map((_, i) => i).sort((x, y) => compareDestinations(destinations[x]!, destinations[y]!));
  for (let i = 1; i < order.length; i++) {
    const at = order[i]!;
    if (compareDestinations(destinations[at]!, destinations[order[i - 1]!]!) === 0) {
      failAt(starts[at]!, `real server ${destinationKey(destinations[at]!)} listed twice in ${entry.key}`);
    }
  }
  return order.map((i) => destinations[i]!);
}

/**
 * The line ipvsadm-save prints for most real servers, "-a -t|-u SERVICE -r SERVER -g|-i|-m -w WEIGHT", read with one
 * match and no options record (a big table has 100,000s of them).
 */
const SAVED_SERVER = /^-a -([tu]) (\S+) -r (\S+) -([gim]) -w (\S+)$/;
const SAVED_FORWARD: Record<string, IpvsForward> = { g: 'gate', i: 'ipip', m: 'masq' };

/** Adds the real server of a line SAVED_SERVER matched; `last` is the service of the line before (a table lists a service's real servers together). */
function addSavedServer(
  saved: RegExpExecArray,
  start: number,
  services: Map<string, Entry>,
  last: Selector,
  realServers: Map<string, RealServer>,
  fail: Fail,
): void {
  const [, protocol = '', service = '', real = '', forward = '', weight = ''] = saved;
  const named: Protocol = protocol === 't' ? 'tcp' : 'udp';
  const same = last.entry !== undefined && last.protocol === named && last.text === service && !last.ipv6;
  const entry = same ? last.entry! : entryOf(services, { protocol: named, text: service, ipv6: false }, last, fail);
  requireDefined(entry, fail);
  const { address, port, rank } = realServerOf(real, realServers, fail);
  const destination: IpvsDestination = {
    address,
    port,
    forward: SAVED_FORWARD[forward] ?? 'gate',
    weight: parseUint(weight, 2 ** 31 - 1, 'weight', fail),
    upper: 0,
    lower: 0,
  };
  addDestination(entry, destination, start, rank);
}

/** The service of an -A line; ipvsadm's default scheduler (wlc) when -s is omitted. */
function serviceAttrs(entry: Entry, options: IpvsOptions, fail: Fail, unmodelled: (note: string) => void): IpvsService {
  const scheduler = options.scheduler ?? 'wlc';
  if (!/^[a-z][a-z0-9_-]*$/.test(scheduler)) fail(`bad scheduler name ${JSON.stringify(scheduler)}`);
  const pe = options.pe;
  if (pe !== undefined) unmodelled(`persistence engine ${pe} (lbctl does not model --pe)`);
  return {
    id: entry.id,
    scheduler,
    flags: parseSchedFlags(options.flags, scheduler, fail),
    persistence: parsePersistence(options.persistent, options.netmask, entry.family, fail),
    onePacket: options.ops !== undefined,
    destinations: [],
  };
}

/** The 1-based number of the line that starts at `start`. */
function lineNumberAt(text: string, start: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < start; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Parses ipvsadm-save -n output, also reporting what HostState cannot hold; throws ParseError on any unknown line. */
export function parseIpvsadmSaveDetailed(text: string): IpvsSaveParse {
  const entries = new Map<string, Entry>();
  const realServers = new Map<string, RealServer>();
  const unmodelled: string[] = [];
  const at = { line: 0, text: '' };
  const fail: Fail = (reason) => {
    throw new ParseError(SOURCE, at.line, at.text, reason);
  };
  const note = (what: string): void => {
    unmodelled.push(`line ${at.line}: ${what}: ${at.text}`);
  };
  const last: Selector = { protocol: 'tcp', text: '', ipv6: false };
  // Line by line without splitting the text first: an array of every line would keep 100,000s of strings alive.
  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const raw = text.slice(start, end);
    const lineStart = start;
    start = end + 1;
    at.line++;
    at.text = raw;
    const saved = SAVED_SERVER.exec(raw);
    if (saved !== null) {
      addSavedServer(saved, lineStart, entries, last, realServers, fail);
      continue;
    }
    at.text = raw.trimEnd();
    if (at.text.trim() === '') continue;
    const listing = at.text.trimStart().startsWith('Prot') && listingOf(at.text) !== null;
    if (listing || at.text.startsWith('IP Virtual Server version')) {
      fail('this is an `ipvsadm -Ln` listing, not `ipvsadm-save -n` output: capture the table with `ipvsadm-save -n`');
    }
    const { command, options } = tokenizeRule(at.text, fail);
    const entry = entryOf(entries, selectorOf(options, fail), last, fail);
    if (command === 'service') {
      if (entry.service !== undefined) fail(`service ${entry.key} defined twice`);
      entry.service = serviceAttrs(entry, options, fail, note);
      continue;
    }
    requireDefined(entry, fail);
    const { destination, rank } = destinationOf(options, realServers, fail, note);
    addDestination(entry, destination, lineStart, rank);
  }
  const failAt = (start: number, reason: string): never => {
    const end = text.indexOf('\n', start);
    throw new ParseError(SOURCE, lineNumberAt(text, start), text.slice(start, end < 0 ? text.length : end).trimEnd(), reason);
  };
  const services: IpvsService[] = [];
  for (const entry of sortedValues(entries)) {
    if (entry.service !== undefined) services.push({ ...entry.service, destinations: inKeyOrder(entry, failAt) });
  }
  return { services, unmodelled };
}

/** Parses ipvsadm-save -n output into services sorted by key, destinations sorted by key. */
export function parseIpvsadmSave(text: string): IpvsService[] {
  return parseIpvsadmSaveDetailed(text).services;
}
