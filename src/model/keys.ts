// Canonical keys that identify each kind of managed object, shared by the model, parsers and plan.
import type { Address, IpvsDestination, IpvsServiceId, Route } from './state.js';

/** "addr:port", with IPv6 addresses in brackets, as ipvsadm writes endpoints. */
export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Key of a virtual service: "tcp 10.0.0.1:80", "fwmark 7" or "fwmark 7 inet6". */
export function serviceKey(id: IpvsServiceId): string {
  if (id.protocol === 'fwmark') return id.family === 'inet6' ? `fwmark ${id.mark} inet6` : `fwmark ${id.mark}`;
  return `${id.protocol} ${endpoint(id.address, id.port)}`;
}

/** True when two ids name one service: what equal serviceKeys say, without making them. */
export function sameServiceId(a: IpvsServiceId, b: IpvsServiceId): boolean {
  if (a.protocol === 'fwmark' || b.protocol === 'fwmark') {
    return a.protocol === 'fwmark' && b.protocol === 'fwmark' && a.mark === b.mark && (a.family === 'inet6') === (b.family === 'inet6');
  }
  return a.protocol === b.protocol && a.port === b.port && a.address === b.address;
}

/** Key of a destination inside its service: "10.0.0.11:80". */
export function destinationKey(d: Pick<IpvsDestination, 'address' | 'port'>): string {
  return endpoint(d.address, d.port);
}

/** Key of a destination's change on a host: its service's key, then its own ("tcp 10.0.0.1:80 10.0.0.11:80"). */
export function destinationChangeKey(service: string, destination: string): string {
  return `${service} ${destination}`;
}

/** Key of an address: "lo 10.0.0.100/32". */
export function addressKey(a: Address): string {
  return `${a.device} ${a.cidr}`;
}

/** An nft rule's identity: its comment (lbctl puts a fingerprint of the rule text there), else the rule text. */
export function nftRuleIdentity(rule: string): string {
  return /comment "([^"]*)"/.exec(rule)?.[1] ?? rule;
}

/**
 * Key of a route: "inet default", or "inet default metric 5" for a metric other than the kernel's default: routes
 * to one destination with different metrics are different routes (another gateway's backup default is not ours).
 */
export function routeKey(r: Pick<Route, 'family' | 'destination' | 'metric'>): string {
  return r.metric === undefined ? `${r.family} ${r.destination}` : `${r.family} ${r.destination} metric ${r.metric}`;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Compares strings so that embedded numbers sort numerically (10.0.0.9 before 10.0.0.10);
 * other characters compare by code unit. Allocation-free: plans sort 100,000s of keys.
 */
export function naturalCompare(a: string, b: string): number {
  // Skip the common prefix (keys of one table share most of it), back to the start of a number it ends in.
  const shorter = Math.min(a.length, b.length);
  let start = 0;
  while (start < shorter && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  if (start === a.length && start === b.length) return 0;
  while (start > 0 && isDigit(a.charCodeAt(start - 1))) start--;
  let i = start;
  let j = start;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      // Skip leading zeros, then a longer run of digits is the larger number.
      while (i < ei - 1 && a.charCodeAt(i) === 48) i++;
      while (j < ej - 1 && b.charCodeAt(j) === 48) j++;
      if (ei - i !== ej - j) return ei - i - (ej - j);
      for (; i < ei; i++, j++) {
        const d = a.charCodeAt(i) - b.charCodeAt(j);
        if (d !== 0) return d;
      }
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  const rest = a.length - i - (b.length - j);
  // Equal but for leading zeros ("a1" vs "a01"): fall back to plain order, so only equal strings tie.
  return rest !== 0 ? rest : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders destinations as naturalCompare orders their keys; two IPv4 addresses compare without building the keys
 * (a big table has 100,000s of destinations): their first differing number decides before the port is reached.
 */
export function compareDestinations(a: Pick<IpvsDestination, 'address' | 'port'>, b: Pick<IpvsDestination, 'address' | 'port'>): number {
  if (a.address === b.address) return a.port - b.port;
  if (a.address.includes(':') || b.address.includes(':')) return naturalCompare(destinationKey(a), destinationKey(b));
  return naturalCompare(a.address, b.address);
}

/** A copy of the list in the order of `compare` (stable), with no sort when already in order. */
export function sortedWith<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < items.length; i++) if (compare(items[i - 1]!, items[i]!) > 0) return items.slice().sort(compare);
  return items.slice();
}

/** The items in the natural order of their keys (same length): a copy, with no sort when already in order. */
export function sortedByKeys<T>(items: readonly T[], keys: readonly string[]): T[] {
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = naturalCompare(keys[i - 1]!, keys[i]!) <= 0;
  if (sorted) return items.slice();
  const order = keys.map((_, i) => i);
  order.sort((x, y) => naturalCompare(keys[x]!, keys[y]!));
  return order.map((i) => items[i]!);
}

/** Returns a copy of the list sorted by the given key, naturally (each item's key computed once). */
export function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return sortedByKeys(items, items.map(key));
}

/** The values of a map sorted by their keys, naturally. */
export function sortedValues<T>(map: ReadonlyMap<string, T>): T[] {
  return sortedByKeys([...map.values()], [...map.keys()]);
}
