// Address ranges that can never be a VIP or an anycast address: put on lo they break the host or mean nothing.
import { contains, parseCidr, parseIp, type Prefix } from '../net/ip.js';

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

const PARSED: readonly [Prefix, string][] = RESERVED.map(([p, what]) => [parseCidr(p)!, what]);

/** What reserved range an address falls in ("multicast (224.0.0.0/4)"), or undefined when it may be a VIP. */
export function reservedRange(address: string): string | undefined {
  const ip = parseIp(address);
  if (ip === null) return undefined;
  return PARSED.find(([p]) => p.family === ip.family && contains(p, ip))?.[1];
}
