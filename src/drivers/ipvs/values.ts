// Parsers of the values inside ipvsadm rule options: endpoints, numbers, netmasks, scheduler flags.
import { canonicalIp, maskLength } from '../../net/ip.js';
import type { Family, Persistence } from '../../model/state.js';
import { canonicalSchedFlags, isSchedFlag, SCHED_FLAGS } from './flags.js';

/** An address as IPVS's /proc files print it: "0A000001" → "10.0.0.1"; "2001:0db8:...:0001" → "2001:db8::1"; null when neither. */
export function procAddress(text: string): string | null {
  if (/^[0-9A-F]{8}$/i.test(text)) {
    const n = parseInt(text, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  return /^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/i.test(text) ? canonicalIp(text) : null;
}

/** Throws a ParseError for the current line. */
export type Fail = (reason: string) => never;

/** An address and port with the address family. */
export interface Endpoint {
  address: string;
  port: number;
  family: Family;
}

/**
 * A canonical IPv4 endpoint with its rank: the address as a number, then the port (exact in a double). Ranks order
 * endpoints as compareDestinations does, with one comparison of numbers.
 */
export interface V4Endpoint {
  address: string;
  port: number;
  rank: number;
}

/** A decimal number of at most `digits` digits without leading zeros, from `start` to `end`, or -1. */
function plainNumber(text: string, start: number, end: number, digits: number): number {
  if (end <= start || end - start > digits || (text.charCodeAt(start) === 0x30 && end - start > 1)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * An endpoint written exactly as ipvsadm prints a canonical IPv4 one ("10.0.0.1:80"), read by scanning its characters;
 * null for anything else, which parseEndpoint reads. A big table has 100,000s of endpoints: a regex each costs more.
 */
export function canonicalV4Endpoint(text: string): V4Endpoint | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  let start = 0;
  let address = 0;
  for (let octet = 0; octet < 4; octet++) {
    const end = octet === 3 ? colon : text.indexOf('.', start);
    if (end < 0 || end > colon) return null;
    const value = plainNumber(text, start, end, 3);
    if (value < 0 || value > 255) return null;
    address = address * 256 + value;
    start = end + 1;
  }
  const port = plainNumber(text, colon + 1, text.length, 5);
  return port < 0 || port > 65535 ? null : { address: text.slice(0, colon), port, rank: address * 65536 + port };
}

/** An address and port as ipvsadm prints them ("10.0.0.1:80", "[2001:db8::1]:80"), canonicalised. */
export function parseEndpoint(text: string, fail: Fail): Endpoint {
  const v4 = canonicalV4Endpoint(text);
  if (v4 !== null) return { address: v4.address, port: v4.port, family: 'inet' };
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)$/.exec(text);
  const raw = match?.[1] ?? match?.[2];
  const address = raw === undefined ? null : canonicalIp(raw);
  if (match === null || address === null) fail(`${JSON.stringify(text)} is not a numeric address:port (was ipvsadm-save run with -n?)`);
  const family: Family = address.includes(':') ? 'inet6' : 'inet';
  if ((family === 'inet6') !== (match[1] !== undefined)) fail(`${JSON.stringify(text)}: IPv6 addresses, and only they, go in brackets`);
  return { address, port: parseUint(match[3] ?? '', 65535, 'port', fail), family };
}

/** A decimal unsigned integer no larger than max. */
export function parseUint(text: string, max: number, what: string, fail: Fail): number {
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value <= max)) fail(`${what} ${JSON.stringify(text)} is not an integer from 0 to ${max}`);
  return value;
}

/** A firewall mark; ipvsadm prints the u32 with %d, so marks from 2^31 up appear negative. */
export function parseFwmark(text: string, fail: Fail): number {
  const negative = text.startsWith('-');
  const magnitude = parseUint(negative ? text.slice(1) : text, negative ? 2 ** 31 : 2 ** 32 - 1, 'fwmark', fail);
  const mark = negative ? 2 ** 32 - magnitude : magnitude;
  if (mark === 0 || mark === 2 ** 32) fail('fwmark 0 is not a valid firewall mark');
  return mark;
}

/** Persistence from -p [timeout] and -M: IPv4 dotted netmask or IPv6 prefix length, defaulting to a host mask. */
export function parsePersistence(timeout: string | undefined, netmask: string | undefined, family: Family, fail: Fail): Persistence | null {
  if (timeout === undefined) {
    if (netmask !== undefined) fail('-M without -p');
    return null;
  }
  // A bare -p means ipvsadm's default timeout of 300 seconds.
  const seconds = timeout === '' ? 300 : parseUint(timeout, 2 ** 32 - 1, 'persistence timeout', fail);
  if (family === 'inet6') return { timeout: seconds, netmask: String(parseUint(netmask ?? '128', 128, 'IPv6 netmask', fail)) };
  const mask = canonicalIp(netmask ?? '255.255.255.255');
  if (mask === null || mask.includes(':') || maskLength(mask) === null)
    fail(`-M ${JSON.stringify(netmask)} is not a contiguous IPv4 netmask`);
  return { timeout: seconds, netmask: mask };
}

/** The comma-separated -b list of a service with this scheduler, validated as ipvsadm does, in canonical form. */
export function parseSchedFlags(text: string | undefined, scheduler: string, fail: Fail): string[] {
  if (text === undefined) return [];
  const flags = text.split(',').map((flag) => {
    if (!isSchedFlag(flag)) fail(`unknown scheduler flag ${JSON.stringify(flag)}`);
    const owner = SCHED_FLAGS[flag].scheduler;
    if (owner !== null && owner !== scheduler) fail(`scheduler flag ${flag} needs the ${owner} scheduler, not ${scheduler}`);
    return flag;
  });
  return canonicalSchedFlags(scheduler, flags);
}
