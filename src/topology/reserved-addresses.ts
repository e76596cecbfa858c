// Address ranges that can never be a VIP or an anycast address: put on lo they break the host or mean nothing.
import { bitsOf, parseCidr, parseIp } from '../net/ip.js';

/** Each range with what it is, most specific first where they nest. */
const RESERVED: readonly [prefix: string, what: string][] = [
  ['0.0.0.0/32', 'the unspecified address'],
  ['0.0.0.0/8', '"this network" (0.0.0.0/8)'],
  ['127.0.0.0/8', 'loopback (127.0.0.0/8)'],
  ['169.254.0.0/16', 'link-local (169.254.0.0/16)'],
  ['224.0.0.0/4', 'multicast (224.0.0.0/4)'],
  ['255.255.255.255/32', 'the limited broadcast address'],
  ['240.0.0.0/4', 'reserved (240.0.0.0/4)'],
  ['::/128', 'the unspecified address'],
  ['::1/128', 'loopback (::1)'],
  ['fe80::/10', 'link-local (fe80::/10)'],
  ['ff00::/8', 'multicast (ff00::/8)'],
];

/** A range as the first and last address in it; BigInt values compare without arithmetic (one address is checked per service). */
interface Range {
  family: 4 | 6;
  first: bigint;
  last: bigint;
  what: string;
}

const RANGES: readonly Range[] = RESERVED.map(([prefix, what]) => {
  const p = parseCidr(prefix)!;
  const size = 1n << BigInt(bitsOf(p.family) - p.length);
  return { family: p.family, first: p.value, last: p.value + size - 1n, what };
});

/** What reserved range an address falls in ("multicast (224.0.0.0/4)"), or undefined when it may be a VIP. */
export function reservedRange(address: string): string | undefined {
  const ip = parseIp(address);
  if (ip === null) return undefined;
  return RANGES.find((r) => r.family === ip.family && r.first <= ip.value && ip.value <= r.last)?.what;
}
