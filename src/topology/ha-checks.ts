// Cross-checks of director high availability: VIPs no host owns, directors that would share a VIP on one L2
// network, and what each HA mode needs (ECMP: OSPF on every director, DR or TUN; VRRP: one shared network).
import { ecmpPathsOf } from './ecmp.js';
import { sharedNetworkOf } from './checks.js';
import { error, warning, type Diagnostic } from './diagnostics.js';
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
function checkDirectorsShareL2(t: Topology, s: Service): Diagnostic[] {
  if (s.ha !== undefined || s.vip === undefined || s.directors.length < 2) return [];
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

/** Each interface address of the topology (without its length) → the first host, and its interface, that has it. */
function addressOwners(t: Topology): Map<string, { host: Host; iface: string }> {
  const owners = new Map<string, { host: Host; iface: string }>();
  for (const host of t.hosts.values())
    for (const i of host.interfaces)
      for (const a of i.addresses) {
        const address = a.split('/')[0] ?? a;
        if (!owners.has(address)) owners.set(address, { host, iface: i.name });
      }
  return owners;
}

/** A VIP that is some host's own interface address: that host answers for it, so clients reach it, not the directors. */
function checkVipNotHostAddress(owners: ReturnType<typeof addressOwners>, s: Service): Diagnostic[] {
  const owner = s.vip === undefined ? undefined : owners.get(s.vip);
  if (owner === undefined) return [];
  return [
    error(
      'vip-is-host-address',
      [...s.path, 'vip'],
      `VIP ${s.vip} of service "${s.name}" is the address of host "${owner.host.name}" (${owner.iface})`,
      'give the service an address no interface of the topology has',
    ),
  ];
}

/**
 * ECMP directors are all active: the routers may send any packet of a flow to any of them. NAT and FullNAT replies
 * must come back through the director that translated the request, and its connection (and SNAT) state lives
 * there alone, so the reply of a flow hashed to one director would reach another that knows nothing of it.
 */
function checkEcmpMethod(s: Service): Diagnostic[] {
  if (s.ha !== 'ecmp' || (s.method !== 'nat' && s.method !== 'fullnat')) return [];
  return [
    error(
      'ha-ecmp-nat',
      [...s.path, 'method'],
      `${s.method === 'nat' ? 'NAT' : 'FullNAT'} service "${s.name}" cannot be active on several directors: replies must return through the director that translated the request, and its connection${s.method === 'fullnat' ? ' and SNAT' : ''} state is kept on that director only`,
      'use method "dr" or "tun" (replies go straight to the client), or "ha: vrrp" (one director at a time, state synchronised); NAT over ECMP would need each director to SNAT to an address of its own so replies return to it',
    ),
  ];
}

/** ECMP directors announce the VIP by OSPF: each needs `routing:`, and the service a VIP to announce. */
function checkEcmpRouting(t: Topology, s: Service): Diagnostic[] {
  if (s.ha !== 'ecmp') return [];
  if (s.vip === undefined) {
    return [
      error(
        'ha-ecmp-no-vip',
        [...s.path, 'ha'],
        `service "${s.name}" has no VIP for its directors to announce`,
        'give the service a "vip:", or drop "ha: ecmp"',
      ),
    ];
  }
  return s.directors.flatMap((d, i) =>
    t.hosts.get(d)?.routing
      ? []
      : [
          error(
            'ha-ecmp-no-routing',
            [...s.path, 'directors', i],
            `ECMP director "${d}" has no routing config to announce VIP ${s.vip}`,
            `add "routing:" (OSPF) to host "${d}"`,
          ),
        ],
  );
}

/** A scheduler other than mh sends a flow re-hashed to another director to another real server, which resets it. */
function checkEcmpScheduler(s: Service): Diagnostic[] {
  if (s.ha !== 'ecmp' || s.scheduler === 'mh') return [];
  return [
    warning(
      'ha-ecmp-scheduler',
      [...s.path, 'scheduler'],
      `scheduler "${s.scheduler}" of ECMP service "${s.name}" picks real servers by state each director keeps apart: a flow the routers move to another director lands on another real server and is reset`,
      'use "scheduler: mh" (the default with ha: ecmp), which every director computes alike',
    ),
  ];
}

/** A router next to ECMP directors whose written `maximumPaths` is below their number would leave some unused. */
function checkEcmpMaximumPaths(t: Topology, h: Host): Diagnostic[] {
  const written = h.routing?.maximumPaths;
  const needed = ecmpPathsOf(t, h);
  if (written === undefined || needed === undefined || written >= needed) return [];
  return [
    error(
      'ha-ecmp-maximum-paths',
      [...h.path, 'routing', 'maximumPaths'],
      `router "${h.name}" keeps ${written} equal-cost path(s) but is next to ${needed} ECMP directors of one VIP`,
      `set "maximumPaths: ${needed}" or more, or remove it (lbctl then writes ${needed})`,
    ),
  ];
}

/** VRRP moves the VIP between directors on one L2 network: all of them must be on a network that holds the VIP. */
function checkVrrpNetwork(t: Topology, s: Service): Diagnostic[] {
  if (s.ha !== 'vrrp') return [];
  if (s.vip === undefined) {
    return [
      error(
        'ha-vrrp-no-vip',
        [...s.path, 'ha'],
        `service "${s.name}" has no VIP for VRRP to move between its directors`,
        'give the service a "vip:", or drop "ha: vrrp"',
      ),
    ];
  }
  const directors = s.directors.map((d) => t.hosts.get(d)).filter((h): h is Host => h !== undefined);
  if (sharedNetworkOf(t, directors, s.vip)) return [];
  return [
    error(
      'ha-vrrp-no-shared-l2',
      [...s.path, 'ha'],
      `VRRP needs every director of service "${s.name}" (${s.directors.join(', ')}) on one network that holds VIP ${s.vip}`,
      'attach the directors to the network of the VIP (or pick a VIP inside a network they share), or use "ha: ecmp" for directors on different networks',
    ),
  ];
}

/** Services sharing a VIP share its holder: one HA mode (or none) for all of them. */
function checkVipHaAgrees(t: Topology): Diagnostic[] {
  const first = new Map<string, Service>();
  const out: Diagnostic[] = [];
  for (const s of t.services) {
    if (s.vip === undefined) continue;
    const other = first.get(s.vip);
    if (!other) first.set(s.vip, s);
    else if (other.ha !== s.ha) {
      const mode = (x: Service) => (x.ha === undefined ? 'no HA mode' : `"ha: ${x.ha}"`);
      out.push(
        error(
          'ha-vip-mixed',
          [...s.path, ...(s.ha === undefined ? [] : ['ha'])],
          `service "${s.name}" has ${mode(s)} but shares VIP ${s.vip} with service "${other.name}", which has ${mode(other)}`,
          `give both services the same "ha:" (one VIP has one holder)`,
        ),
      );
    }
  }
  return out;
}

/** Every HA cross-check of every service, in a stable order. */
export function checkHa(t: Topology): Diagnostic[] {
  // Built once: a check per service and host would cost services × addresses.
  const owners = addressOwners(t);
  return t.services
    .flatMap((s) => [
      ...checkVipNotHostAddress(owners, s),
      ...checkDirectorsShareL2(t, s),
      ...checkEcmpMethod(s),
      ...checkEcmpRouting(t, s),
      ...checkEcmpScheduler(s),
      ...checkVrrpNetwork(t, s),
    ])
    .concat(
      checkVipHaAgrees(t),
      [...t.hosts.values()].flatMap((h) => checkEcmpMaximumPaths(t, h)),
    );
}
