// IPv4/IPv6 address arithmetic: parsing, canonical text (RFC 5952), prefixes and containment.

/** A parsed address: family and numeric value. */
export interface Ip {
  family: 4 | 6;
  value: bigint;
}

/** A parsed prefix: network address (host bits cleared) and length. */
export interface Prefix extends Ip {
  length: number;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parseV4(text: string): bigint | null {
  if (!V4.test(text)) return null;
  // Number arithmetic (exact below 2^53), one BigInt at the end: plans parse 100,000s of addresses.
  let value = 0;
  for (const part of text.split('.')) value = value * 256 + Number(part);
  return BigInt(value);
}

function parseV6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.includes(':::')) return null;
  if (text.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
    const cut = text.lastIndexOf(':');
    const v4 = parseV4(text.slice(cut + 1));
    if (v4 === null) return null;
    return parseV6(`${text.slice(0, cut + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): bigint[] | null => {
    if (s === '') return [];
    const out: bigint[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(BigInt(parseInt(g, 16)));
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const given = head.length + rest.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return null;
  const all = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IPv4 or IPv6 address; null when it is neither. */
export function parseIp(text: string): Ip | null {
  let ip = parsedIps.get(text);
  if (ip === undefined) {
    const v4 = parseV4(text);
    const v6 = v4 === null && text.includes(':') ? parseV6(text) : null;
    ip = v4 !== null ? { family: 4, value: v4 } : v6 !== null ? { family: 6, value: v6 } : null;
    if (parsedIps.size >= PARSED_IPS_MAX) parsedIps.clear();
    parsedIps.set(text, ip);
  }
  return ip;
}

/**
 * Addresses parsed so far, shared by every caller (nothing mutates an Ip: parseCidr and networkOf copy): a big
 * topology names the same real servers, VIPs and networks in its checks, desired state and observed state.
 * Cleared when it grows past the bound.
 */
const parsedIps = new Map<string, Ip | null>();
const PARSED_IPS_MAX = 1 << 18;

/** Number of bits in an address of this family. */
export function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** Canonical text of an address: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Canonical text of an address given as text; null when it is not an address. */
export function canonicalIp(text: string): string | null {
  // A dotted quad that matches V4 (no leading zeros) is already canonical: skip the BigInt round trip.
  if (V4.test(text)) return text;
  const ip = parseIp(text);
  return ip ? formatIp(ip) : null;
}

/** Parses "addr/len" (len defaults to the full width); null when malformed. Host bits are kept in `value`. */
export function parseCidr(text: string): Prefix | null {
  const [addr, len, extra] = text.split('/');
  if (addr === undefined || extra !== undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const width = bitsOf(ip.family);
  if (len === undefined) return { ...ip, length: width };
  if (!/^\d{1,3}$/.test(len) || Number(len) > width) return null;
  return { ...ip, length: Number(len) };
}

/** The prefix with its host bits cleared. */
export function networkOf(prefix: Prefix): Prefix {
  const host = bitsOf(prefix.family) - prefix.length;
  return { ...prefix, value: (prefix.value >> BigInt(host)) << BigInt(host) };
}

/** Canonical "addr/len" text of a prefix (host bits as given). */
export function formatCidr(prefix: Prefix): string {
  return `${formatIp(prefix)}/${prefix.length}`;
}

/** True when the address lies inside the prefix. */
export function contains(prefix: Prefix, ip: Ip): boolean {
  if (prefix.family !== ip.family) return false;
  if (prefix.family === 4) {
    // Exact in doubles (below 2^32), and no BigInt made: checks and desired state test 100,000s of addresses.
    const size = 2 ** (32 - prefix.length);
    return Math.floor(Number(prefix.value) / size) === Math.floor(Number(ip.value) / size);
  }
  const host = BigInt(128 - prefix.length);
  return prefix.value >> host === ip.value >> host;
}

/** IPv4 dotted netmask for a prefix length (ipvsadm -M). */
export function netmaskOf(length: number): string {
  const mask = length === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - length)) - 1n);
  return formatIp({ family: 4, value: mask });
}

/** Prefix length of a dotted IPv4 netmask; null when the mask is not contiguous. */
export function maskLength(mask: string): number | null {
  const ip = parseIp(mask);
  if (!ip || ip.family !== 4) return null;
  const bits = ip.value.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : null;
}
