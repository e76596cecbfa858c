// What a lab is made of (pure): namespaces, bridges, veth pairs, addresses, routes and the synthetic gateway router.
import { hasChecks } from '../health/watch.js';
import { contains, parseCidr, parseIp } from '../net/ip.js';
import type { Host, HostInterface, Topology } from '../topology/types.js';
import { checkLabName, labPrefix, NameAllocator, namespaceOf } from './names.js';

/** One end of a veth pair: its namespace, name, addresses, and the bridge it is enslaved to (switch side). */
export interface VethEnd {
  namespace: string;
  name: string;
  addresses: string[];
  bridge?: string;
}

/** A veth pair carrying one network: host to bridge, or host to host (point-to-point). */
export interface LabLink {
  network: string;
  ends: [VethEnd, VethEnd];
}

/** A Linux bridge standing for one network, in the switch namespace. */
export interface LabBridge {
  name: string;
  network: string;
  namespace: string;
}

/** A machine of the lab (what a Vagrantfile needs to define it): interfaces, default route, static routes. */
export interface LabHost {
  name: string;
  namespace: string;
  interfaces: HostInterface[];
  gateway: string | null;
  routes: { destination: string; via: string }[];
  /** TCP ports a web server answers on (the host is a real server of these services). */
  httpPorts: number[];
  /** UDP ports a DNS responder answers on (the host is a real server of these services). */
  dnsPorts: number[];
  /** The host has checks: lbctl agent runs there. */
  agent: boolean;
}

/** The whole lab, as `lbctl lab plan --format json` prints it. */
export interface LabPlan {
  version: 1;
  lab: string;
  prefix: string;
  namespaces: string[];
  bridges: LabBridge[];
  links: LabLink[];
  hosts: LabHost[];
  /** The router (namespace "gw", ip_forward=1) that owns the gateways no topology host has; null when none is needed. */
  router: LabHost | null;
}

const bare = (cidr: string) => cidr.split('/')[0] ?? cidr;

/** The address (with the interface's prefix length) and network of a next hop on a host's networks. */
function onLink(host: Host, hop: string): { network: string; address: string } {
  const ip = parseIp(hop);
  for (const i of host.interfaces) {
    for (const a of i.addresses) {
      const p = parseCidr(a);
      if (ip && p && contains(p, ip)) return { network: i.network, address: `${hop}/${p.length}` };
    }
  }
  throw new Error(`host "${host.name}": next hop ${hop} is on none of its networks`);
}

/** Gateway addresses no topology host has, by network (in first-use order). */
function syntheticGateways(t: Topology): Map<string, string[]> {
  const owned = new Set([...t.hosts.values()].flatMap((h) => h.interfaces.flatMap((i) => i.addresses.map(bare))));
  const out = new Map<string, string[]>();
  for (const h of t.hosts.values()) {
    for (const hop of [...(h.gateway ? [h.gateway] : []), ...h.routes.map((r) => r.via)]) {
      if (owned.has(hop)) continue;
      const { network, address } = onLink(h, hop);
      const list = out.get(network) ?? [];
      if (!list.includes(address)) out.set(network, [...list, address]);
    }
  }
  return out;
}

/** The ports the host serves as a real server of the topology's services of one protocol. */
function servedPorts(t: Topology, host: string, protocol: 'tcp' | 'udp'): number[] {
  const ports = t.services
    .filter((s) => s.id.protocol === protocol)
    .flatMap((s) => s.realServers.filter((rs) => rs.host === host && rs.port > 0).map((rs) => rs.port));
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Networks wired as one direct veth pair: point-to-point, exactly two interfaces, no synthetic gateway. */
function directNetworks(t: Topology, gateways: Map<string, string[]>): Set<string> {
  const attached = (net: string) => [...t.hosts.values()].flatMap((h) => h.interfaces.filter((i) => i.network === net));
  return new Set(
    [...t.networks.values()].filter((n) => n.pointToPoint && !gateways.has(n.name) && attached(n.name).length === 2).map((n) => n.name),
  );
}

function checkNames(t: Topology, needsRouter: boolean): void {
  for (const h of t.hosts.values()) {
    if (h.name === 'sw' || (h.name === 'gw' && needsRouter))
      throw new Error(`host "${h.name}" has the name of the lab's ${h.name === 'sw' ? 'switch' : 'gateway router'} namespace: rename it`);
    for (const i of h.interfaces) if (i.name === 'lo') throw new Error(`host "${h.name}": an interface on a network cannot be named lo`);
  }
}

/** Computes the lab of a topology: throws on a bad lab name or names that cannot be built. */
export function labPlan(t: Topology, lab: string): LabPlan {
  checkLabName(lab);
  const gateways = syntheticGateways(t);
  checkNames(t, gateways.size > 0);
  const direct = directNetworks(t, gateways);
  const sw = namespaceOf(lab, 'sw');
  const switchNames = new NameAllocator();
  const networks = [...t.networks.values()];
  const bridges = networks
    .filter((n) => !direct.has(n.name))
    .map((n): LabBridge => ({ name: switchNames.take(`br-${n.name}`, `br.${networks.indexOf(n)}`), network: n.name, namespace: sw }));
  const bridgeOf = new Map(bridges.map((b) => [b.network, b.name]));
  const links: LabLink[] = [];
  const pending = new Map<string, VethEnd>();
  const attach = (end: VethEnd, network: string, port: () => string) => {
    const bridge = bridgeOf.get(network);
    if (bridge) {
      links.push({ network, ends: [end, { namespace: sw, name: port(), addresses: [], bridge }] });
      return;
    }
    const first = pending.get(network);
    if (first) links.push({ network, ends: [first, end] });
    else pending.set(network, end);
  };
  const hosts = [...t.hosts.values()].map((h, hi): LabHost => {
    const namespace = namespaceOf(lab, h.name);
    h.interfaces.forEach((i, ii) =>
      attach({ namespace, name: i.name, addresses: i.addresses }, i.network, () =>
        switchNames.take(`${h.name}-${i.name}`, `p.${hi}.${ii}`),
      ),
    );
    const interfaces = h.interfaces.map((i) => ({ name: i.name, network: i.network, addresses: i.addresses }));
    return {
      name: h.name,
      namespace,
      interfaces,
      gateway: h.gateway ?? null,
      routes: h.routes.map((r) => ({ ...r })),
      httpPorts: servedPorts(t, h.name, 'tcp'),
      dnsPorts: servedPorts(t, h.name, 'udp'),
      agent: hasChecks(t, h.name),
    };
  });
  let router: LabHost | null = null;
  if (gateways.size > 0) {
    const namespace = namespaceOf(lab, 'gw');
    const ownNames = new NameAllocator();
    const interfaces = [...gateways].map(([network, addresses]) => {
      const ni = networks.findIndex((n) => n.name === network);
      const name = ownNames.take(network, `n.${ni}`);
      attach({ namespace, name, addresses }, network, () => switchNames.take(`gw-${network}`, `g.${ni}`));
      return { name, network, addresses };
    });
    router = { name: 'gw', namespace, interfaces, gateway: null, routes: [], httpPorts: [], dnsPorts: [], agent: false };
  }
  const namespaces = [...(bridges.length > 0 ? [sw] : []), ...hosts.map((h) => h.namespace), ...(router ? [router.namespace] : [])];
  return { version: 1, lab, prefix: labPrefix(lab), namespaces, bridges, links, hosts, router };
}
