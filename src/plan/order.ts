// The safe order of changes: make before break, lower layers first, deletions in reverse.
import { naturalCompare } from '../model/keys.js';
import type { Change, Kind } from './types.js';

/**
 * Phase of each kind when creating or updating: modules before sysctls, ARP sysctls before
 * a VIP goes on lo, links before their addresses, services before destinations, routing
 * configs (and their reload) last. Deletions run afterwards in the reverse phase order, so
 * an anycast route is withdrawn before the address or service behind it goes away; sysctls put
 * back to their old values run with them, so a VIP leaves lo before arp_ignore is relaxed (in
 * between, the host would answer ARP for the VIP and draw the clients' traffic).
 * Reloads keep the order the desired state lists them in (zebra before the ospfd that talks to it).
 */
export const PHASES: readonly Kind[] = [
  'module',
  'sysctl',
  'link',
  'address',
  'route',
  'ipvs-service',
  'ipvs-destination',
  'ipvs-sync-daemon',
  'nft-table',
  'file',
  'reload',
];

const phase = new Map(PHASES.map((k, i) => [k, i]));

/** A change's place in the phase order: its kind's phase, deletions (and restored sysctls) after all others in reverse. */
function rankOf(c: Change): number {
  const p = phase.get(c.kind) ?? 0;
  return c.action === 'delete' || c.restore ? PHASES.length * 2 - p : p;
}

/**
 * Sorts changes into execution order (stable and deterministic). Ranks are computed once per change, and a diff
 * that already lists its changes in this order (a plan from an empty host does) is only checked, not sorted.
 */
export function orderChanges(changes: readonly Change[]): Change[] {
  const ranks = changes.map(rankOf);
  const compare = (i: number, j: number) =>
    ranks[i]! - ranks[j]! || (changes[i]!.kind === 'reload' ? 0 : naturalCompare(changes[i]!.key, changes[j]!.key));
  let i = 1;
  while (i < changes.length && compare(i - 1, i) <= 0) i++;
  if (i >= changes.length) return changes.slice();
  const order = changes.map((_, k) => k).sort(compare);
  return order.map((k) => changes[k]!);
}
