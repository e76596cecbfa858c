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

/** Key of a destination inside its service: "10.0.0.11:80". */
export function destinationKey(d: Pick<IpvsDestination, 'address' | 'port'>): string {
  return endpoint(d.address, d.port);
}

/** Key of an address: "lo 10.0.0.100/32". */
export function addressKey(a: Address): string {
  return `${a.device} ${a.cidr}`;
}

/** An nft rule's identity: its comment (lbctl puts a fingerprint of the rule text there), else the rule text. */
export function nftRuleIdentity(rule: string): string {
  return /comment "([^"]*)"/.exec(rule)?.[1] ?? rule;
}

/** Key of a route: "inet default". */
export function routeKey(r: Pick<Route, 'family' | 'destination'>): string {
  return `${r.family} ${r.destination}`;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Compares strings so that embedded numbers sort numerically (10.0.0.9 before 10.0.0.10). */
export const naturalCompare: (a: string, b: string) => number = collator.compare;

/** Returns a copy of the list sorted by the given key, naturally. */
export function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((x, y) => naturalCompare(key(x), key(y)));
}
