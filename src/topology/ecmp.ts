// Active-active directors (`ha: ecmp`): each director announces the VIP /32 from lo by OSPF, as an anycast node
// does, and the routers next to them spread flows over every director by an L4 hash.
import { HOLD_DOWN_DEFAULTS } from './health.js';
import { hostCidr } from './resolve.js';
import type { Anycast, Host, Topology } from './types.js';

/** The VIP groups of `ha: ecmp` services, one per VIP, named for the first service holding it. */
export function ecmpGroups(t: Topology): Anycast[] {
  const groups = new Map<string, Anycast>();
  for (const s of t.services) {
    if (s.ha !== 'ecmp' || s.vip === undefined) continue;
    const prefix = hostCidr(s.vip);
    const group = groups.get(prefix);
    if (group) group.nodes = [...new Set([...group.nodes, ...s.directors])];
    else
      groups.set(prefix, {
        name: s.name,
        prefix,
        nodes: [...s.directors],
        area: backboneArea(t, s.directors),
        ...HOLD_DOWN_DEFAULTS,
        path: s.path,
      });
  }
  return [...groups.values()];
}

/** The area the first director's OSPF networks are in (the VIP is announced there), else the backbone. */
function backboneArea(t: Topology, directors: string[]): string {
  const first = directors.map((d) => t.hosts.get(d)?.routing?.networks[0]?.area).find((a) => a !== undefined);
  return first ?? '0.0.0.0';
}

const announcedCache = new WeakMap<Topology, Anycast[]>();

/** Every prefix announced from several nodes' lo: the anycast groups written, then the ECMP services' VIPs. */
export function announcedGroups(t: Topology): Anycast[] {
  let groups = announcedCache.get(t);
  if (groups === undefined) announcedCache.set(t, (groups = [...t.anycast, ...ecmpGroups(t)]));
  return groups;
}

/** The networks ECMP directors are attached to: where they and their routers run BFD, to fail over in under a second. */
export function ecmpNetworks(t: Topology): Set<string> {
  const directors = new Set(ecmpGroups(t).flatMap((g) => g.nodes));
  return new Set([...directors].flatMap((d) => t.hosts.get(d)?.interfaces.map((i) => i.network) ?? []));
}

/** True when the host is an ECMP director or a router next to ECMP directors. */
export function inEcmp(t: Topology, host: Host): boolean {
  return ecmpGroups(t).some((g) => g.nodes.includes(host.name)) || ecmpPathsOf(t, host) !== undefined;
}

/**
 * The ECMP paths a router needs: the most directors of one ECMP VIP it shares a network with; undefined when it is
 * no such router (no routing, a director of that VIP itself, or not next to any of its directors).
 */
export function ecmpPathsOf(t: Topology, host: Host): number | undefined {
  if (!host.routing) return undefined;
  const mine = new Set(host.interfaces.map((i) => i.network));
  const counts = ecmpGroups(t)
    .filter((g) => !g.nodes.includes(host.name) && g.nodes.some((d) => t.hosts.get(d)?.interfaces.some((i) => mine.has(i.network))))
    .map((g) => g.nodes.length);
  return counts.length === 0 ? undefined : Math.max(...counts);
}
