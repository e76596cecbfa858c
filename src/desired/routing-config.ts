// The OSPF configuration of a routing host: its own networks plus the anycast prefixes it announces.
import type { Host, Topology } from '../topology/types.js';
import { announcedGroups, ecmpNetworks, ecmpPathsOf, inEcmp } from '../topology/ecmp.js';
import { contains, parseCidr } from '../net/ip.js';
import { naturalCompare, sortedBy } from '../model/keys.js';
import type { OspfConfig, OspfInterface } from '../model/routing.js';

function inOspfNetworks(cidr: string, networks: { prefix: string }[]): boolean {
  const ip = parseCidr(cidr);
  return networks.some((n) => {
    const p = parseCidr(n.prefix);
    return ip !== null && p !== null && contains(p, ip);
  });
}

/** The OSPF configuration of a host with `routing:`; undefined for hosts without. */
export function ospfConfigOf(t: Topology, host: Host): OspfConfig | undefined {
  const r = host.routing;
  if (!r) return undefined;
  const groups = announcedGroups(t).filter((g) => g.nodes.includes(host.name));
  const networks = [...r.networks];
  for (const g of groups) {
    if (!networks.some((n) => n.prefix === g.prefix)) networks.push({ prefix: g.prefix, area: g.area });
  }
  const hello = groups.find((g) => g.hello !== undefined)?.hello ?? r.hello;
  const dead = groups.find((g) => g.dead !== undefined)?.dead ?? r.dead;
  const interfaces = new Map<string, OspfInterface>();
  const bfdNetworks = inEcmp(t, host) ? ecmpNetworks(t) : new Set<string>();
  for (const i of host.interfaces) {
    if (!i.addresses.some((a) => inOspfNetworks(a, networks)) && !r.interfaces.has(i.name)) continue;
    const net = t.networks.get(i.network);
    const base: OspfInterface = { name: i.name, passive: false, pointToPoint: net?.pointToPoint ?? r.pointToPoint };
    if (hello !== undefined) base.hello = hello;
    if (dead !== undefined) base.dead = dead;
    if (r.retransmit !== undefined) base.retransmit = r.retransmit;
    if (bfdNetworks.has(i.network)) base.bfd = true;
    interfaces.set(i.name, base);
  }
  const loCost = groups.find((g) => g.cost !== undefined)?.cost;
  if (groups.length > 0) {
    interfaces.set('lo', { name: 'lo', passive: false, pointToPoint: false, ...(loCost === undefined ? {} : { cost: loCost }) });
  }
  for (const [name, explicit] of r.interfaces) {
    const merged = { name, passive: false, pointToPoint: false, ...interfaces.get(name), ...explicit };
    interfaces.set(name, merged);
  }
  const config: OspfConfig = {
    flavour: r.flavour,
    hostname: host.name,
    routerId: r.routerId,
    networks: sortedBy(networks, (n) => n.prefix),
    interfaces: [...interfaces.values()].sort((a, b) => naturalCompare(a.name, b.name)),
    timers: r.timers,
  };
  if (r.password !== undefined) config.password = r.password;
  const maximumPaths = r.maximumPaths ?? ecmpPathsOf(t, host);
  if (maximumPaths !== undefined) config.maximumPaths = maximumPaths;
  return config;
}
