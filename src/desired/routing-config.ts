// The OSPF configuration of a routing host: its own networks plus the anycast prefixes it announces, IPv4 ones in
// OSPFv2 (`network` statements), IPv6 ones in OSPFv3 (each interface with an address in them joins the area).
import type { Host, Topology } from '../topology/types.js';
import { announcedGroups, ecmpNetworks, ecmpPathsOf, inEcmp } from '../topology/ecmp.js';
import { contains, parseCidr } from '../net/ip.js';
import { naturalCompare, sortedBy } from '../model/keys.js';
import type { Ospf6Interface, OspfConfig, OspfInterface, OspfNetwork } from '../model/routing.js';

const isIpv6 = (prefix: string) => prefix.includes(':');

/** The first of `networks` holding address `cidr`; undefined when none does. */
function networkHolding(cidr: string, networks: readonly OspfNetwork[]): OspfNetwork | undefined {
  const ip = parseCidr(cidr);
  return networks.find((n) => {
    const p = parseCidr(n.prefix);
    return ip !== null && p !== null && p.family === ip.family && contains(p, ip);
  });
}

const byName = <T extends { name: string }>(list: Iterable<T>): T[] => [...list].sort((a, b) => naturalCompare(a.name, b.name));

/** The OSPF configuration of a host with `routing:`; undefined for hosts without. */
export function ospfConfigOf(t: Topology, host: Host): OspfConfig | undefined {
  const r = host.routing;
  if (!r) return undefined;
  const groups = announcedGroups(t).filter((g) => g.nodes.includes(host.name));
  const anycastNode = t.anycast.some((g) => g.nodes.includes(host.name));
  const networks = [...r.networks];
  for (const g of groups) {
    if (!networks.some((n) => n.prefix === g.prefix)) networks.push({ prefix: g.prefix, area: g.area });
  }
  const v4 = networks.filter((n) => !isIpv6(n.prefix));
  const v6 = r.networks.filter((n) => isIpv6(n.prefix));
  const hello = groups.find((g) => g.hello !== undefined)?.hello ?? r.hello;
  const dead = groups.find((g) => g.dead !== undefined)?.dead ?? r.dead;
  const interfaces = new Map<string, OspfInterface>();
  const interfaces6 = new Map<string, Ospf6Interface>();
  const bfdNetworks = inEcmp(t, host) ? ecmpNetworks(t) : new Set<string>();
  for (const i of host.interfaces) {
    const net = t.networks.get(i.network);
    const base: OspfInterface = { name: i.name, passive: false, pointToPoint: net?.pointToPoint ?? r.pointToPoint };
    if (hello !== undefined) base.hello = hello;
    if (dead !== undefined) base.dead = dead;
    if (r.retransmit !== undefined) base.retransmit = r.retransmit;
    if (bfdNetworks.has(i.network)) base.bfd = true;
    // An anycast node is never its segment's DR or BDR: when it fails, the routers keep their adjacencies and the
    // prefix's other nodes, instead of re-electing and dropping every route over the segment for a second (seen on FRR
    // 8.4's ospf6d: the /128 withdrawn from R1 and R2 while two nodes were up). ECMP directors keep the default: with
    // the router as DR, new connections waited 0.6 s after a director died instead of milliseconds (README).
    if (anycastNode && !base.pointToPoint) base.priority = 0;
    if (i.addresses.some((a) => networkHolding(a, v4)) || r.interfaces.has(i.name)) interfaces.set(i.name, base);
    const area6 = i.addresses.map((a) => networkHolding(a, v6)?.area).find((a) => a !== undefined);
    if (area6 !== undefined) interfaces6.set(i.name, { ...base, ...r.interfaces.get(i.name), area: area6 });
  }
  // lo carries the anycast prefixes; loopback prefixes go out as /32 (OSPFv2) and /128 (OSPFv3) host routes
  const lo = (family: typeof groups) => {
    const cost = family.find((g) => g.cost !== undefined)?.cost;
    return { name: 'lo', passive: false, pointToPoint: false, ...(cost === undefined ? {} : { cost }) };
  };
  const groups4 = groups.filter((g) => !isIpv6(g.prefix));
  const groups6 = groups.filter((g) => isIpv6(g.prefix));
  if (groups4.length > 0) interfaces.set('lo', lo(groups4));
  if (groups6.length > 0) interfaces6.set('lo', { ...lo(groups6), ...r.interfaces.get('lo'), area: groups6[0]!.area });
  for (const [name, explicit] of r.interfaces) {
    const merged = { name, passive: false, pointToPoint: false, ...interfaces.get(name), ...explicit };
    interfaces.set(name, merged);
  }
  const config: OspfConfig = {
    flavour: r.flavour,
    hostname: host.name,
    routerId: r.routerId,
    networks: sortedBy(v4, (n) => n.prefix),
    interfaces: byName(interfaces.values()),
    timers: r.timers,
  };
  if (interfaces6.size > 0) config.interfaces6 = byName(interfaces6.values());
  if (r.password !== undefined) config.password = r.password;
  const maximumPaths = r.maximumPaths ?? ecmpPathsOf(t, host);
  if (maximumPaths !== undefined) config.maximumPaths = maximumPaths;
  return config;
}
