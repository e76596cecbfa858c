// Cross-checks of a resolved topology: rules that span services, hosts and networks.
import { contains, parseCidr, parseIp, type Prefix } from '../net/ip.js';
import { SCHED_FLAGS } from '../drivers/ipvs/flags.js';
import { destinationKey, serviceKey } from '../model/keys.js';
import { error, warning, withoutRepeats, type Diagnostic, type NodePath } from './diagnostics.js';
import { checkHa } from './ha-checks.js';
import { isVipPathMark, VIP_PATH } from './health.js';
import { familyOf } from './resolve.js';
import { reservedRange } from './reserved-addresses.js';
import type { Anycast, Host, Network, RealServer, ServerPlace, Service, Topology } from './types.js';

/** The addresses (without length) a host has on a network. */
export function addressesOn(host: Host, network: string): string[] {
  return host.interfaces.filter((i) => i.network === network).flatMap((i) => i.addresses.map((a) => a.split('/')[0] ?? a));
}

/** The host's own address on the subnet that holds `peer` (how it reaches a next hop); undefined when none does. */
export function localAddressFor(host: Host, peer: string): string | undefined {
  const ip = parseIp(peer);
  const own = host.interfaces
    .flatMap((i) => i.addresses)
    .find((a) => {
      const p = parseCidr(a);
      return ip !== null && p !== null && contains(p, ip);
    });
  return own?.split('/')[0];
}

/** The next hop a host uses towards an address: its most specific static route, else its gateway. */
export function nextHop(host: Host, address: string): string | undefined {
  const ip = parseIp(address);
  const routes = host.routes
    .map((r) => ({ r, p: parseCidr(r.destination) }))
    .filter(({ p }) => ip !== null && p !== null && contains(p, ip))
    .sort((a, b) => (b.p?.length ?? 0) - (a.p?.length ?? 0));
  return routes[0]?.r.via ?? host.gateway;
}

/**
 * Networks a real server shares with a director: by host membership, or by its address falling in one. Computed
 * once per director and real server (host or address): checks, the director's and the real server's desired state
 * all ask, for every service the real server is in. Callers must not modify the returned list.
 */
export function sharedNetworks(topology: Topology, director: Host, rs: ServerPlace): Network[] {
  let byServer = sharedByDirector.get(director);
  if (byServer === undefined) sharedByDirector.set(director, (byServer = new Map<string, Network[]>()));
  const key = rs.host === undefined ? rs.address : `host ${rs.host}`;
  let shared = byServer.get(key);
  if (shared === undefined) byServer.set(key, (shared = computeSharedNetworks(topology, director, rs)));
  return shared;
}

const sharedByDirector = new WeakMap<Host, Map<string, Network[]>>();

/**
 * The director's own address towards a real server: its address on a shared network, else on the network of the
 * next hop towards the server; undefined when the topology does not say how the server is reached. FullNAT's SNAT
 * source, and the source of VIP-path probes.
 */
export function sourceTowards(t: Topology, director: Host, rs: RealServer): string | undefined {
  const onShared = sharedNetworks(t, director, rs)
    .flatMap((n) => addressesOn(director, n.name))
    .find((a) => familyOf(a) === familyOf(rs.address));
  if (onShared !== undefined) return onShared;
  const hop = nextHop(director, rs.address);
  return hop === undefined ? undefined : localAddressFor(director, hop);
}

function computeSharedNetworks(topology: Topology, director: Host, rs: ServerPlace): Network[] {
  const attached = director.interfaces.map((i) => topology.networks.get(i.network)).filter((n): n is Network => n !== undefined);
  if (rs.host !== undefined) {
    const rsHost = topology.hosts.get(rs.host);
    const rsNets = new Set(rsHost?.interfaces.map((i) => i.network));
    return attached.filter((n) => rsNets.has(n.name));
  }
  const ip = parseIp(rs.address);
  return attached.filter((n) => {
    const p = prefixOf(n);
    return ip !== null && p !== null && contains(p, ip);
  });
}

/** Parsed prefixes of networks, computed once per network (sharedNetworks and vipDevice run per service or real server). */
const networkPrefixes = new WeakMap<Network, Prefix | null>();

export function prefixOf(n: Network): Prefix | null {
  let p = networkPrefixes.get(n);
  if (p === undefined) {
    p = parseCidr(n.prefix);
    networkPrefixes.set(n, p);
  }
  return p;
}

/**
 * The real servers that repeat an earlier one of the list (address and port). A service's list is short: comparing
 * each with those before it costs less than a map per service, and a list as long as a pool of hundreds falls back
 * to one map of the addresses seen.
 */
function repeatedRealServers(list: readonly RealServer[]): RealServer[] {
  const repeats: RealServer[] = [];
  if (list.length <= 32) {
    list.forEach((rs, i) => {
      for (let j = 0; j < i; j++) {
        if (list[j]!.port === rs.port && list[j]!.address === rs.address) {
          repeats.push(rs);
          return;
        }
      }
    });
    return repeats;
  }
  const ports = new Map<string, number[]>();
  for (const rs of list) {
    const seen = ports.get(rs.address);
    if (seen === undefined) ports.set(rs.address, [rs.port]);
    else if (seen.includes(rs.port)) repeats.push(rs);
    else seen.push(rs.port);
  }
  return repeats;
}

function checkService(t: Topology, s: Service): Diagnostic[] {
  const out: Diagnostic[] = s.vip === undefined ? [] : checkReserved(s.vip, [...s.path, 'vip'], `VIP of service "${s.name}"`);
  for (const flag of s.flags) {
    const owner = SCHED_FLAGS[flag].scheduler;
    if (owner !== null && owner !== s.scheduler) {
      out.push(
        error(
          'scheduler-flag',
          [...s.path, 'flags'],
          `flag "${flag}" belongs to the "${owner}" scheduler, not "${s.scheduler}"`,
          `set "scheduler: ${owner}" or remove the flag`,
        ),
      );
    }
  }
  const family = s.id.protocol === 'fwmark' ? s.id.family : familyOf(s.id.address);
  // Directors on networks the file does not define get no path checks (see checkPath).
  const directors = s.directors.flatMap((d) => {
    const director = t.hosts.get(d);
    return director && !onUndefinedNetwork(t, director) ? [director] : [];
  });
  for (const rs of repeatedRealServers(s.realServers)) {
    out.push(
      error(
        'realserver-duplicate',
        rs.path,
        `real server ${destinationKey(rs)} is listed twice in service "${s.name}"`,
        'remove one of the entries (IPVS keys real servers by address and port)',
      ),
    );
  }
  for (const rs of s.realServers) {
    if (familyOf(rs.address) !== family) {
      out.push(
        error(
          'family-mixed',
          rs.path,
          `real server ${rs.address} is ${familyOf(rs.address) === 'inet6' ? 'IPv6' : 'IPv4'} but service "${s.name}" is ${family === 'inet6' ? 'IPv6' : 'IPv4'}`,
          'use real servers of the same address family as the VIP',
        ),
      );
    }
    if ((s.method === 'dr' || s.method === 'tun') && s.id.protocol !== 'fwmark' && rs.port !== s.id.port) {
      out.push(
        error(
          `${s.method}-port-mapping`,
          rs.path,
          `real server port ${rs.port} differs from the VIP port ${s.id.port}: ${s.method.toUpperCase()} cannot map ports`,
          `use port ${s.id.port} on the real server, or method "nat"/"fullnat" to map ports`,
        ),
      );
    }
    if (rs.host !== undefined && onUndefinedNetwork(t, t.hosts.get(rs.host))) continue;
    for (const director of directors) {
      const problem = checkPath(t, s, director, rs);
      if (problem !== undefined) out.push(problem);
    }
  }
  if (s.id.protocol === 'fwmark') out.push(...checkMark(s, s.id.mark));
  out.push(...checkVipPathSources(t, s));
  if (s.onePacket) out.push(...checkOnePacket(s));
  if (s.method === 'tun' && !s.tunMtuExplicit) {
    out.push(
      warning(
        'tun-mtu',
        [...s.path, 'method'],
        'ipip adds a 20-byte outer header: a full-size client packet no longer fits the path to the real server, and the director answers "fragmentation needed" (often filtered on the way back to clients)',
        'lower the MSS the real servers advertise (e.g. `advmss 1440` on their routes, or an MSS clamp on their SYN-ACKs), then set "mtu:" (tunl0 MTU, default 1480) to acknowledge',
      ),
    );
  }
  return out;
}

/**
 * A DR or TUN real server receives packets addressed to the VIP: lbctl puts the VIP on a topology host's lo (DR, with
 * ARP kept quiet) or tunl0 (TUN); a bare address is a machine it does not manage, where someone else must. Each
 * address is reported once, where it first appears (a pool listed in many services is one machine each).
 */
function checkUnmanagedRealServers(t: Topology): Diagnostic[] {
  const owners = new Map(
    [...t.hosts.values()].flatMap((h) => h.interfaces.flatMap((i) => i.addresses.map((a) => [a.split('/')[0] ?? a, h] as const))),
  );
  // Addresses reported, per method (a set each: no key to build for each of a big topology's real servers).
  const reported = { dr: new Set<string>(), tun: new Set<string>() };
  const out: Diagnostic[] = [];
  for (const s of t.services) {
    if (s.method !== 'dr' && s.method !== 'tun') continue;
    const seen = reported[s.method];
    for (const rs of s.realServers) {
      if (rs.host !== undefined || seen.has(rs.address)) continue;
      const owner = owners.get(rs.address);
      // The address of a host the service also names: lbctl sets that host up.
      if (owner !== undefined && s.realServers.some((r) => r.host === owner.name)) continue;
      seen.add(rs.address);
      const vip =
        s.vip === undefined ? `the addresses of the traffic marked ${s.id.protocol === 'fwmark' ? s.id.mark : ''}` : `VIP ${s.vip}`;
      const where = s.method === 'dr' ? 'lo' : 'tunl0';
      out.push(
        warning(
          `${s.method}-vip-unmanaged`,
          rs.path,
          `${s.method.toUpperCase()} real server ${rs.address} is ${owner === undefined ? 'not a topology host' : `host "${owner.name}"'s address, not the host`}: lbctl cannot put ${vip} on its ${where}, and without it the server drops the traffic`,
          owner !== undefined
            ? `write "${owner.name}" (with ":port" or "port:" as needed) instead of the address: lbctl then sets the host up`
            : s.method === 'dr'
              ? `add it under "hosts:" and name it here, or put ${vip} on its lo yourself (with arp_ignore=1, arp_announce=2)`
              : `add it under "hosts:" and name it here, or bring up tunl0 (ipip) with ${vip} and rp_filter off on it yourself`,
        ),
      );
    }
  }
  return out;
}

/** A fwmark service's mark: outside the VIP path's reserved range, and set by someone. */
function checkMark(s: Service, mark: number): Diagnostic[] {
  if (!isVipPathMark(mark)) return [checkMarked(s, mark)];
  const last = VIP_PATH.firstMark + VIP_PATH.slots - 1;
  return [
    error(
      'fwmark-reserved',
      [...s.path, 'fwmark'],
      `fwmark ${mark} is in the range lbctl keeps for the VIP path of DR/TUN checks (${VIP_PATH.firstMark}-${last})`,
      `use a mark below ${VIP_PATH.firstMark} or above ${last}`,
    ),
  ];
}

/**
 * A DR/TUN check goes through the VIP path from the director's own address towards the real server; without one
 * (no shared network, no route) it would leave from the VIP, which the server answers itself: the check then probes
 * the server's own address instead, and cannot see a missing VIP.
 */
function checkVipPathSources(t: Topology, s: Service): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rs of s.realServers) {
    if (!rs.check?.viaVip) continue;
    for (const d of s.directors) {
      const director = t.hosts.get(d);
      if (director === undefined || sourceTowards(t, director, rs) !== undefined) continue;
      out.push(
        warning(
          'check-vip-path-source',
          rs.check.path,
          `director ${d} has no address towards real server ${rs.address} (no shared network, no route to it): its check of ${rs.address} cannot go through the VIP and probes the server's own address, which passes even when the VIP is missing from the server`,
          `attach ${d} to a network of the real server, or give ${d} a route towards ${rs.address}`,
        ),
      );
    }
  }
  return out;
}

/**
 * A fwmark service receives the packets some firewall rule marks; lbctl marks only its own VIP-path probes, so the
 * mark must come from the operator's firewall, or the service gets nothing.
 */
function checkMarked(s: Service, mark: number): Diagnostic {
  return warning(
    'fwmark-unmarked',
    [...s.path, 'fwmark'],
    `nothing in the topology marks packets with ${mark}: service "${s.name}" receives traffic only if a firewall rule of yours sets that mark on its directors`,
    `mark its packets on each director, e.g. nftables "meta mark set ${mark}" in a prerouting chain (priority mangle) matching its addresses and ports`,
  );
}

/**
 * One-packet scheduling (-o): the kernel applies it to UDP only, and keeps no connection entry for such packets, so
 * a NAT/FullNAT director cannot translate the real server's reply back to the VIP (seen on Debian 12's kernel:
 * every query times out). DR and TUN replies go straight to the client and need no entry.
 */
function checkOnePacket(s: Service): Diagnostic[] {
  const at = [...s.path, 'onePacket'];
  if (s.id.protocol === 'tcp' || s.id.protocol === 'sctp') {
    return [
      error(
        'one-packet-not-udp',
        at,
        `one-packet scheduling applies to UDP only; the kernel ignores it for ${s.id.protocol.toUpperCase()} service "${s.name}"`,
        'remove "onePacket"',
      ),
    ];
  }
  if (s.method === 'nat' || s.method === 'fullnat') {
    return [
      error(
        'one-packet-nat',
        at,
        `one-packet scheduling keeps no connection entry, so the director cannot translate the real servers' replies of ${s.method === 'nat' ? 'NAT' : 'FullNAT'} service "${s.name}" back to the VIP: clients would get no answer`,
        'remove "onePacket" (a client then stays on one real server for the UDP timeout, `ipvsadm --set`), or use method "dr" or "tun"',
      ),
    ];
  }
  return [];
}

/** True when one of the host's interfaces is on a network the topology does not define (reported as network-unknown). */
function onUndefinedNetwork(t: Topology, host: Host | undefined): boolean {
  return host?.interfaces.some((i) => !t.networks.has(i.network)) ?? false;
}

/**
 * Checks what the forwarding method needs between one director and one real server, both on networks the file
 * defines (checkService skips the others: what they share is unknown, and the undefined network is the one problem
 * to report).
 */
function checkPath(t: Topology, s: Service, director: Host, rs: RealServer): Diagnostic | undefined {
  const shared = sharedNetworks(t, director, rs);
  if (s.method === 'dr' && shared.length === 0) {
    return error(
      'dr-not-on-l2',
      rs.path,
      `DR real server ${rs.address} shares no L2 network with director "${director.name}"`,
      'put the real server on a network of the director, or use method "tun"',
    );
  }
  if (s.method !== 'nat') return undefined;
  const dips = shared.flatMap((n) => addressesOn(director, n.name));
  if (dips.length === 0) {
    return error(
      'nat-not-connected',
      rs.path,
      `NAT real server ${rs.address} shares no network with director "${director.name}"`,
      'put the real server on a network of the director (its default gateway must be the director)',
    );
  }
  if (rs.host === undefined) {
    return warning(
      'nat-gateway-unknown',
      rs.path,
      `NAT real server ${rs.address} is not a topology host: its default gateway cannot be checked`,
      `make sure its default gateway is ${dips.join(' or ')}`,
    );
  }
  const gateway = t.hosts.get(rs.host)?.gateway;
  if (gateway === undefined || !dips.includes(gateway)) {
    const at = t.hosts.get(rs.host)?.path ?? rs.path;
    return error(
      'nat-gateway',
      gateway === undefined ? at : [...at, 'gateway'],
      `NAT real server "${rs.host}" has default gateway ${gateway ?? '(none)'}, not director "${director.name}" (${dips.join(', ')}): replies would bypass the director`,
      `set "gateway: ${dips[0]}" on host "${rs.host}"`,
    );
  }
  return undefined;
}

/** A TUN real server has one tunl0: every TUN service it serves must agree on its MTU. */
function checkTunMtu(services: Service[]): Diagnostic[] {
  const mtus = new Map<string, Service>();
  const out: Diagnostic[] = [];
  for (const s of services.filter((x) => x.method === 'tun')) {
    for (const rs of s.realServers) {
      if (rs.host === undefined) continue;
      const first = mtus.get(rs.host);
      if (first && first.tunMtu !== s.tunMtu) {
        out.push(
          error(
            'tun-mtu-conflict',
            [...s.path, 'mtu'],
            `real server "${rs.host}" would get tunl0 MTU ${s.tunMtu} from service "${s.name}" but ${first.tunMtu} from "${first.name}"`,
            'give every TUN service of a real server the same "mtu:"',
          ),
        );
      } else if (!first) mtus.set(rs.host, s);
    }
  }
  return out;
}

function checkDuplicateServices(services: Service[]): Diagnostic[] {
  const seen = new Map<string, Service>();
  const out: Diagnostic[] = [];
  for (const s of services) {
    const key = serviceKey(s.id);
    const first = seen.get(key);
    if (first)
      out.push({
        ...error(
          'service-duplicate',
          s.path,
          `service "${s.name}" (${key}) duplicates service "${first.name}"`,
          'give it another VIP, port, protocol or fwmark, or merge the two',
        ),
        atKey: true,
      });
    else seen.set(key, s);
  }
  return out;
}

function checkHosts(t: Topology): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ids = new Map<string, string>();
  for (const h of t.hosts.values()) {
    const hops: [string, NodePath][] = [
      ...(h.gateway === undefined ? [] : [[h.gateway, [...h.path, 'gateway']] as [string, NodePath]]),
      ...h.routes.map((r): [string, NodePath] => [r.via, [...h.path, 'routes', r.destination]]),
    ];
    for (const [via, at] of hops) {
      if (localAddressFor(h, via) === undefined)
        out.push(
          error(
            'gateway-unreachable',
            at,
            `next hop ${via} is on none of host "${h.name}"'s networks`,
            'use an address on a network the host is attached to',
          ),
        );
    }
    if (h.routing) {
      const other = ids.get(h.routing.routerId);
      if (other !== undefined) {
        out.push(
          error(
            'router-id-duplicate',
            [...h.path, 'routing'],
            `router-id ${h.routing.routerId} of "${h.name}" is already used by "${other}"`,
            'give every OSPF router a unique router-id',
          ),
        );
      } else ids.set(h.routing.routerId, h.name);
    }
  }
  return out;
}

/** A VIP or anycast address in a reserved range (unspecified, loopback, multicast, broadcast, ...). */
function checkReserved(address: string, at: NodePath, what: string): Diagnostic[] {
  const range = reservedRange(address);
  if (range === undefined) return [];
  return [
    error(
      'vip-reserved',
      at,
      `${what} ${address} is ${range}: it cannot be put on lo and served`,
      'use a unicast address that clients can reach (e.g. from your public or private ranges)',
    ),
  ];
}

function checkAnycast(t: Topology): Diagnostic[] {
  return t.anycast.flatMap((g) => {
    const out: Diagnostic[] = checkReserved(g.prefix.split('/')[0] ?? g.prefix, [...g.path, 'prefix'], `anycast prefix of "${g.name}"`);
    const p = parseCidr(g.prefix);
    if (p && p.length !== (p.family === 4 ? 32 : 128)) {
      out.push(
        error(
          'anycast-not-host-route',
          [...g.path, 'prefix'],
          `anycast prefix ${g.prefix} is not a host route`,
          `use a /${p.family === 4 ? 32 : 128}: the prefix is put on each node's loopback`,
        ),
      );
    }
    if (g.holdDownMaxMs < g.holdDownMs) {
      out.push(
        error(
          'hold-down-cap',
          [...g.path, 'holdDownMax'],
          `the hold-down cap (${g.holdDownMaxMs} ms) is below the hold-down (${g.holdDownMs} ms)`,
          'make "holdDownMax" at least "holdDown"',
        ),
      );
    }
    if (p?.family === 6 && g.check) {
      out.push(
        error(
          'anycast-check-ipv6',
          [...g.path, 'check'],
          `the agent cannot withdraw IPv6 prefix ${g.prefix} safely: it counts the other nodes announcing a prefix in the OSPFv2 database (IPv4 only), and would see none`,
          'remove "check:" from this group (ospf6d still withdraws the prefix when a node, its link or its routing dies), or check an IPv4 anycast group of the same nodes',
        ),
      );
    }
    g.nodes.forEach((n, i) => {
      if (!t.hosts.get(n)?.routing) {
        out.push(
          error(
            'anycast-no-routing',
            [...g.path, 'nodes', i],
            `anycast node "${n}" has no routing config to announce ${g.prefix}`,
            `add "routing:" (OSPF) to host "${n}"`,
          ),
        );
      }
    });
    return out;
  });
}

/** lo joins one OSPFv3 area (ospf6d has no per-prefix `network` statements): a node's IPv6 anycast groups share it. */
function checkAnycast6Areas(t: Topology): Diagnostic[] {
  const first = new Map<string, Anycast>();
  return t.anycast.flatMap((g) => {
    if (!g.prefix.includes(':')) return [];
    return g.nodes.flatMap((n, i) => {
      const other = first.get(n);
      if (other === undefined) first.set(n, g);
      if (other === undefined || other.area === g.area) return [];
      return [
        error(
          'anycast-ipv6-area',
          [...g.path, 'nodes', i],
          `node "${n}" announces IPv6 prefixes in area ${other.area} ("${other.name}") and area ${g.area} ("${g.name}"), but OSPFv3 puts its lo in one area`,
          `give "${g.name}" and "${other.name}" the same "area:"`,
        ),
      ];
    });
  });
}

/** Every cross-check, in a stable order, each problem once. */
export function checkTopology(t: Topology): Diagnostic[] {
  return withoutRepeats([
    ...checkHosts(t),
    ...checkDuplicateServices(t.services),
    ...checkTunMtu(t.services),
    ...t.services.flatMap((s) => checkService(t, s)),
    ...checkUnmanagedRealServers(t),
    ...checkAnycast(t),
    ...checkAnycast6Areas(t),
    ...checkHa(t),
  ]);
}

/** The network holding an address that every host given is attached to. */
export function sharedNetworkOf(t: Topology, hosts: Host[], address: string): Network | undefined {
  const ip = parseIp(address);
  return [...t.networks.values()].find((n) => {
    const p = parseCidr(n.prefix);
    return ip !== null && p !== null && contains(p, ip) && hosts.every((h) => h.interfaces.some((i) => i.network === n.name));
  });
}
