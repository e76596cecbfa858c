// Cross-checks of director high availability: VIPs no host owns, directors that would share a VIP on one L2
// network, and what each HA mode needs (ECMP: OSPF on every director, DR or TUN; VRRP: one shared network).
import { error, type Diagnostic } from './diagnostics.js';
import type { Host, Service, Topology } from './types.js';

/** The networks both hosts are attached to. */
function commonNetworks(a: Host, b: Host): string[] {
  const theirs = new Set(b.interfaces.map((i) => i.network));
  return [...new Set(a.interfaces.map((i) => i.network))].filter((n) => theirs.has(n));
}

/**
 * Two directors of one service on one L2 network, with no HA mode: each would put the VIP on its interface there,
 * a duplicate address that clients reach by whichever ARP reply came last.
 */
export function checkDirectorsShareL2(t: Topology, s: Service): Diagnostic[] {
  if (s.ha !== undefined || s.vip === undefined) return [];
  const directors = s.directors.map((d) => t.hosts.get(d)).filter((h): h is Host => h !== undefined);
  for (const [j, second] of directors.entries()) {
    for (const first of directors.slice(0, j)) {
      const shared = commonNetworks(first, second);
      if (shared.length === 0) continue;
      return [
        error(
          'ha-missing',
          [...s.path, 'directors', j],
          `directors "${first.name}" and "${second.name}" of service "${s.name}" are both on network "${shared[0]}" with no HA mode: both would hold VIP ${s.vip}, a duplicate address`,
          'add "ha: vrrp" (one director holds the VIP, the other takes over) or "ha: ecmp" (each director announces the VIP by OSPF), or keep one director',
        ),
      ];
    }
  }
  return [];
}

/** A VIP that is some host's own interface address: the host answers for it, and lbctl would remove it on a director. */
export function checkVipNotHostAddress(t: Topology, s: Service): Diagnostic[] {
  if (s.vip === undefined) return [];
  for (const h of t.hosts.values()) {
    const own = h.interfaces.find((i) => i.addresses.some((a) => a.split('/')[0] === s.vip));
    if (own) {
      return [error('vip-is-host-address', [...s.path, 'vip'], `VIP ${s.vip} of service "${s.name}" is the address of host "${h.name}" (${own.name})`, 'give the service an address no interface of the topology has')];
    }
  }
  return [];
}

/** Every HA cross-check of every service, in a stable order. */
export function checkHa(t: Topology): Diagnostic[] {
  return t.services.flatMap((s) => [...checkVipNotHostAddress(t, s), ...checkDirectorsShareL2(t, s)]);
}
