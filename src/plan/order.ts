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

/** Sorts changes into execution order (stable and deterministic); ranks are computed once per change. */
export function orderChanges(changes: readonly Change[]): Change[] {
  const ranked = changes.map((c) => {
    const p = phase.get(c.kind) ?? 0;
    return { c, rank: c.action === 'delete' || c.restore ? PHASES.length * 2 - p : p };
  });
  ranked.sort((a, b) => a.rank - b.rank || (a.c.kind === 'reload' ? 0 : naturalCompare(a.c.key, b.c.key)));
  return ranked.map((r) => r.c);
}
