// Expands short forms, applies defaults and resolves names to addresses: RawTopology → Topology.
import { canonicalIp, contains, formatCidr, formatIp, netmaskOf, networkOf, parseCidr, parseIp, type Prefix } from '../net/ip.js';
import type { Family, IpvsServiceId, Persistence } from '../model/state.js';
import { error, type Diagnostic, type NodePath } from './diagnostics.js';
import {
  CheckResolver,
  DEFAULT_FAIL_OPEN_PERCENT,
  durationMs,
  HOLD_DOWN_DEFAULTS,
  overrideCheck,
  placeCheck,
  type CheckTarget,
  type PlacedCheck,
} from './health.js';
import type { RawTopology } from './schema.js';
import { didYouMean } from './suggest.js';
import type {
  Anycast,
  DnsZone,
  Host,
  HostInterface,
  Network,
  PoolPolicy,
  RealServer,
  Routing,
  ServerPlace,
  Service,
  Topology,
} from './types.js';

type RawHost = RawTopology['hosts'][string];
type RawService = RawTopology['services'][string];
type RawRealServer = RawService['realServers'][number];

/** Default config directory per routing flavour. */
export const DEFAULT_CONFIG_DIR: Record<Routing['flavour'], string> = { frr: '/etc/frr', quagga: '/etc/quagga' };

/** Default MTU of tunl0 on TUN real servers: 1500 less the 20-byte outer IPv4 header. */
export const DEFAULT_TUN_MTU = 1480;

/** The servers of a service that are topology hosts (its real servers, then its sorry server): what holds its VIP. */
export function servedBy(s: Service): (ServerPlace & { host: string })[] {
  const sorry = s.pool.sorryServer;
  const all: ServerPlace[] = [...s.realServers, ...(sorry ? [sorry] : [])];
  return all.filter((rs): rs is ServerPlace & { host: string } => rs.host !== undefined);
}

/** The address family of an address text. */
export function familyOf(address: string): Family {
  return address.includes(':') ? 'inet6' : 'inet';
}

/** Host-length prefix of an address: "/32" or "/128". */
export function hostCidr(address: string): string {
  return `${address}/${familyOf(address) === 'inet6' ? 128 : 32}`;
}

/** An OSPF area as dotted quad: "0" and "0.0.0.0" are the same area. */
export function canonicalArea(given: string | number): string | null {
  const area = String(given);
  if (/^\d+$/.test(area) && Number(area) <= 0xffffffff) return formatIp({ family: 4, value: BigInt(area) });
  const ip = parseIp(area);
  return ip?.family === 4 && /^\d+\.\d+\.\d+\.\d+$/.test(area) ? formatIp(ip) : null;
}

/** Link-local prefixes: the same address may be on every link. */
const LINK_LOCAL = ['169.254.0.0/16', 'fe80::/10'].map((p) => parseCidr(p)).filter((p): p is Prefix => p !== null);

/** Canonical "addr/len" keeping host bits (interface addresses) or clearing them (networks). */
function cidrText(text: string, clearHostBits: boolean): string {
  const p = parseCidr(text);
  if (!p) throw new Error(`schema let through a bad prefix: ${text}`);
  return formatCidr(clearHostBits ? networkOf(p) : p);
}

class Resolver {
  readonly diagnostics: Diagnostic[] = [];
  readonly checks = new CheckResolver();
  constructor(private readonly raw: RawTopology) {}

  report(rule: string, path: NodePath, message: string, fix: string, atKey = false): void {
    this.diagnostics.push(atKey ? { ...error(rule, path, message, fix), atKey } : error(rule, path, message, fix));
  }

  networks(): Map<string, Network> {
    const out = new Map<string, Network>();
    for (const [name, spec] of Object.entries(this.raw.networks)) {
      const prefix = typeof spec === 'string' ? spec : spec.prefix;
      out.set(name, {
        name,
        prefix: cidrText(prefix, true),
        pointToPoint: typeof spec === 'string' ? false : (spec.pointToPoint ?? false),
      });
    }
    return out;
  }

  hosts(networks: Map<string, Network>): Map<string, Host> {
    const out = new Map<string, Host>();
    const owners = new Map<string, string>();
    for (const [name, raw] of Object.entries(this.raw.hosts)) {
      const path = ['hosts', name];
      const interfaces: HostInterface[] = Object.entries(raw.interfaces).map(([ifname, spec]) => {
        const addresses = (Array.isArray(spec.address) ? spec.address : [spec.address]).map((a) => cidrText(a, false));
        const addressPath = (i: number) =>
          Array.isArray(spec.address) ? [...path, 'interfaces', ifname, 'address', i] : [...path, 'interfaces', ifname, 'address'];
        addresses.forEach((a, i) => this.uniqueAddress(owners, a, `host "${name}" (${ifname})`, addressPath(i)));
        const network = networks.get(spec.network);
        if (!network) {
          this.report(
            'network-unknown',
            [...path, 'interfaces', ifname, 'network'],
            `network "${spec.network}" is not defined${didYouMean(spec.network, networks.keys())}`,
            `define it under "networks:" or use one of: ${[...networks.keys()].join(', ') || '(none defined)'}`,
          );
        } else {
          const net = parseCidr(network.prefix);
          addresses.forEach((a, i) => {
            const ip = parseCidr(a);
            if (net && ip && !contains(net, ip)) {
              this.report(
                'address-outside-network',
                addressPath(i),
                `${a} is not inside network "${network.name}" (${network.prefix})`,
                `use an address in ${network.prefix} or attach the interface to another network`,
              );
            }
          });
        }
        return { name: ifname, network: spec.network, addresses };
      });
      const { gateway, routes } = this.routes(raw, path);
      const host: Host = { name, roles: raw.roles ?? [], interfaces, routes, path };
      if (gateway) host.gateway = gateway;
      const routing = raw.routing ? this.routing(name, raw, interfaces) : undefined;
      if (routing) host.routing = routing;
      out.set(name, host);
    }
    return out;
  }

  /**
   * An interface address (with length) no other interface has: two would answer for it, and lbctl would reach
   * either by it. Link-local addresses are per link (every link has its fe80::1), so they may repeat.
   */
  uniqueAddress(owners: Map<string, string>, cidr: string, owner: string, at: NodePath): void {
    const address = cidr.split('/')[0] ?? cidr;
    const ip = parseIp(address);
    if (ip === null || LINK_LOCAL.some((p) => p.family === ip.family && contains(p, ip))) return;
    const first = owners.get(address);
    if (first === undefined) owners.set(address, owner);
    else
      this.report(
        'address-duplicate',
        at,
        `${address} of ${owner} is already the address of ${first}`,
        'give every interface an address of its own (an address several directors share is a service VIP, with "ha:")',
      );
  }

  /**
   * The default gateway and static routes: a route to 0.0.0.0/0 or ::/0 is the default route (as `gateway:`), one
   * prefix may have one route only (two spellings of one prefix would silently lose one), and a route's next hop is
   * of its prefix's family.
   */
  routes(raw: RawHost, path: NodePath): { gateway?: string; routes: Host['routes'] } {
    let gateway = raw.gateway === undefined ? undefined : (canonicalIp(raw.gateway) ?? undefined);
    const routes: Host['routes'] = [];
    const seen = new Map<string, string>();
    for (const [prefix, rawVia] of Object.entries(raw.routes ?? {})) {
      const at = [...path, 'routes', prefix];
      const destination = cidrText(prefix, true);
      const via = canonicalIp(rawVia) ?? rawVia;
      if (familyOf(destination) !== familyOf(via)) {
        this.report(
          'route-family',
          at,
          `route to ${prefix} is ${familyOf(destination) === 'inet6' ? 'IPv6' : 'IPv4'} but its next hop ${via} is not`,
          `use a next hop of the same family as ${prefix}`,
        );
        continue;
      }
      const first = seen.get(destination);
      if (first !== undefined) {
        this.report(
          'route-duplicate',
          at,
          `"${prefix}" is the same prefix as "${first}" (${destination}): a host has one route per prefix`,
          'remove one of the two routes',
          true,
        );
        continue;
      }
      seen.set(destination, prefix);
      if (parseCidr(destination)?.length !== 0) routes.push({ destination, via });
      else if (gateway === undefined) gateway = via;
      else
        this.report(
          'route-duplicate',
          at,
          `"${prefix}" is the default route, already given by "gateway: ${gateway}"`,
          `remove the route, or "gateway:" (the default route is "gateway: ${via}")`,
          true,
        );
    }
    return gateway === undefined ? { routes } : { gateway, routes };
  }

  routing(name: string, raw: RawHost, interfaces: HostInterface[]): Routing | undefined {
    const spec = raw.routing;
    if (!spec) return undefined;
    const path = ['hosts', name, 'routing'];
    const firstV4 = interfaces.flatMap((i) => i.addresses).find((a) => !a.includes(':'));
    const routerId = spec.routerId ?? firstV4?.split('/')[0];
    if (!routerId) {
      this.report(
        'router-id-missing',
        path,
        `host "${name}" has routing but no router-id and no IPv4 interface address to take it from`,
        'set "routerId:" to an IPv4 address',
      );
      return undefined;
    }
    const networks = Object.entries(spec.networks ?? {}).map(([prefix, area]) => {
      const canonical = canonicalArea(area);
      if (canonical === null) {
        this.report(
          'area-invalid',
          [...path, 'networks', prefix],
          `"${area}" is not an OSPF area`,
          'write the area as a dotted quad (0.0.0.1) or a number (1)',
        );
      }
      return { prefix: cidrText(prefix, true), area: canonical ?? String(area) };
    });
    const defaults = this.raw.ospf ?? {};
    const timers = { ...defaults, ...spec.timers };
    const routing: Routing = {
      flavour: spec.flavour,
      routerId: canonicalIp(routerId) ?? routerId,
      networks,
      interfaces: new Map(Object.entries(spec.interfaces ?? {})),
      pointToPoint: timers.pointToPoint ?? false,
      timers: {},
      configDir: spec.configDir ?? DEFAULT_CONFIG_DIR[spec.flavour],
    };
    if (spec.reload !== undefined) routing.reload = spec.reload;
    if (spec.password !== undefined) routing.password = spec.password;
    if (spec.maximumPaths !== undefined) routing.maximumPaths = spec.maximumPaths;
    if (timers.hello !== undefined) routing.hello = timers.hello;
    if (timers.dead !== undefined) routing.dead = timers.dead;
    if (timers.retransmit !== undefined) routing.retransmit = timers.retransmit;
    if (timers.spfThrottle) routing.timers.spfThrottle = timers.spfThrottle;
    if (timers.lsaThrottle !== undefined) routing.timers.lsaThrottle = timers.lsaThrottle;
    if (timers.lsaMinArrival !== undefined) routing.timers.lsaMinArrival = timers.lsaMinArrival;
    return routing;
  }

  services(hosts: Map<string, Host>): Service[] {
    return Object.entries(this.raw.services).flatMap(([name, raw]) => {
      const service = this.service(name, raw, hosts);
      return service ? [service] : [];
    });
  }

  service(name: string, raw: RawService, hosts: Map<string, Host>): Service | undefined {
    const path: NodePath = ['services', name];
    const vip = raw.vip === undefined ? undefined : (canonicalIp(raw.vip) ?? undefined);
    for (const [i, d] of raw.directors.entries()) {
      if (!hosts.has(d)) this.unknownHost([...path, 'directors', i], d, hosts);
    }
    const check = raw.check ? { placed: placeCheck(raw.check, [...path, 'check']), at: [...path, 'check'] } : undefined;
    const how = { method: raw.method, protocol: raw.fwmark !== undefined ? ('fwmark' as const) : (raw.protocol ?? 'tcp') };
    const realServers: RealServer[] = [];
    raw.realServers.forEach((rs, i) => {
      // A literal of exactly four (a spread leaves room for more, some 130 bytes a real server kept; concat is slower).
      const r = this.realServer(rs, ['services', name, 'realServers', i], raw, vip, hosts);
      if (!r) return;
      this.attachCheck(r, rs, check, how);
      realServers.push(r);
    });
    let id: IpvsServiceId;
    if (raw.fwmark !== undefined) {
      if (raw.port !== undefined || raw.protocol !== undefined) {
        this.report(
          'service-id',
          path,
          `service "${name}" has both "fwmark" and "port"/"protocol": a fwmark service takes every packet with the mark, whatever its port and protocol, so they would be ignored`,
          'remove "port"/"protocol" (match them in the rule that sets the mark), or remove "fwmark"',
        );
      }
      const family = vip ? familyOf(vip) : realServers[0] ? familyOf(realServers[0].address) : 'inet';
      id = { protocol: 'fwmark', mark: raw.fwmark, family };
    } else if (vip !== undefined && raw.port !== undefined) {
      id = { protocol: raw.protocol ?? 'tcp', address: vip, port: raw.port };
    } else {
      this.report('service-id', path, `service "${name}" needs "vip" and "port", or "fwmark"`, 'add "vip:" and "port:" (or "fwmark:")');
      return undefined;
    }
    const family = id.protocol === 'fwmark' ? id.family : familyOf(id.address);
    const service: Service = {
      name,
      id,
      // ECMP directors must agree on the real server of a flow whichever of them the routers pick: Maglev hashing.
      scheduler: raw.scheduler ?? (raw.ha === 'ecmp' ? 'mh' : 'wlc'),
      flags: [...(raw.flags ?? [])],
      persistence: this.persistence(raw, family, [...path, 'persistence']),
      onePacket: raw.onePacket ?? false,
      method: raw.method,
      directors: raw.directors.filter((d) => hosts.has(d)),
      realServers,
      tunMtu: raw.mtu ?? DEFAULT_TUN_MTU,
      tunMtuExplicit: raw.mtu !== undefined,
      pool: this.pool(raw, path, id, vip, hosts),
      path,
    };
    if (vip) service.vip = vip;
    if (raw.ha !== undefined) service.ha = raw.ha;
    return service;
  }

  /** Gives a real server its check: the service's, with the server's own fields over it (`check: false`: none). */
  attachCheck(
    rs: RealServer,
    raw: RawRealServer,
    service: { placed: PlacedCheck; at: NodePath } | undefined,
    how: NonNullable<CheckTarget['service']>,
  ): void {
    const own = typeof raw === 'string' ? undefined : raw.check;
    if (own === false) return;
    const chosen =
      own === undefined
        ? service
        : { placed: overrideCheck(service?.placed ?? {}, placeCheck(own, [...rs.path, 'check'])), at: [...rs.path, 'check'] };
    if (chosen === undefined) return;
    // A fwmark service has no VIP to probe through: its checks go to the real server's own address.
    const vipPath = (how.method === 'dr' || how.method === 'tun') && how.protocol !== 'fwmark';
    const check = this.checks.resolve(chosen.placed, chosen.at, { address: rs.address, port: rs.port, vipPath, service: how });
    if (check) rs.check = check;
  }

  /** What failing checks do to the service's pool. */
  pool(raw: RawService, path: NodePath, id: IpvsServiceId, vip: string | undefined, hosts: Map<string, Host>): PoolPolicy {
    const pool: PoolPolicy = {
      onFailure: raw.onFailure ?? 'weight0',
      quorum: raw.quorum ?? 0,
      hysteresis: raw.hysteresis ?? 0,
      failOpenPercent: raw.failOpen ?? DEFAULT_FAIL_OPEN_PERCENT,
    };
    if (raw.sorryServer !== undefined) {
      const sorry = this.realServer(raw.sorryServer, [...path, 'sorryServer'], raw, vip, hosts);
      if (sorry)
        pool.sorryServer = {
          address: sorry.address,
          port: id.protocol === 'fwmark' ? sorry.port : sorry.port || id.port,
          ...(sorry.host !== undefined ? { host: sorry.host } : {}),
        };
    }
    return pool;
  }

  persistence(raw: RawService, family: Family, path: NodePath): Persistence | null {
    const spec = raw.persistence;
    if (spec === undefined) return null;
    const full = family === 'inet6' ? '128' : '255.255.255.255';
    if (typeof spec === 'number') return { timeout: spec, netmask: full };
    const mask = spec.netmask;
    if (mask === undefined) return { timeout: spec.timeout, netmask: full };
    if (typeof mask === 'string') {
      if (family === 'inet6')
        this.report(
          'persistence-netmask',
          [...path, 'netmask'],
          'an IPv6 service takes a prefix length as persistence netmask',
          'write a number from 1 to 128',
        );
      return { timeout: spec.timeout, netmask: canonicalIp(mask) ?? mask };
    }
    if (family === 'inet' && mask > 32) {
      this.report(
        'persistence-netmask',
        [...path, 'netmask'],
        `${mask} is not an IPv4 prefix length`,
        'write a number from 1 to 32 or a dotted netmask',
      );
    }
    return { timeout: spec.timeout, netmask: family === 'inet6' ? String(mask) : netmaskOf(Math.min(mask, 32)) };
  }

  realServer(
    raw: RawRealServer,
    path: NodePath,
    service: RawService,
    vip: string | undefined,
    hosts: Map<string, Host>,
  ): RealServer | undefined {
    const spec: Exclude<RawRealServer, string> | null = typeof raw === 'string' ? parseRealServerShort(raw) : raw;
    if (!spec) {
      this.report(
        'realserver-invalid',
        path,
        `"${typeof raw === 'string' ? raw : JSON.stringify(raw)}" is neither a host name nor an address, with an optional :port`,
        'write "rs1", "rs1:8080", "10.0.0.11:8080" or "[2001:db8::11]:80"',
      );
      return undefined;
    }
    const defaultPort = service.fwmark !== undefined ? 0 : (service.port ?? 0);
    // The short form's address is canonical already (parseRealServerShort): a big pool has 100,000s of them.
    let address = spec.address === undefined || typeof raw === 'string' ? spec.address : (canonicalIp(spec.address) ?? undefined);
    if (spec.host !== undefined) {
      const host = hosts.get(spec.host);
      if (!host) {
        this.unknownHost(typeof raw === 'string' ? path : [...path, 'host'], spec.host, hosts);
        return undefined;
      }
      address ??= pickAddress(
        host,
        service.directors.map((d) => hosts.get(d)).filter((h): h is Host => h !== undefined),
        vip ? familyOf(vip) : undefined,
      );
      if (!address) {
        this.report(
          'realserver-no-address',
          path,
          `host "${spec.host}" has no address to reach it by`,
          `give "${spec.host}" an interface with an address, or write "address:"`,
        );
        return undefined;
      }
    }
    if (!address) {
      this.report('realserver-invalid', path, 'a real server needs "host" or "address"', 'add "host: NAME" or "address: IP"');
      return undefined;
    }
    const rs: RealServer = {
      address,
      port: spec.port ?? defaultPort,
      weight: spec.weight ?? 1,
      upper: spec.upper ?? 0,
      lower: spec.lower ?? 0,
      path,
    };
    if (spec.host !== undefined) rs.host = spec.host;
    return rs;
  }

  unknownHost(path: NodePath, name: string, hosts: Map<string, Host>): void {
    this.report(
      'host-unknown',
      path,
      `host "${name}" is not defined${didYouMean(name, hosts.keys())}`,
      `define it under "hosts:" or use one of: ${[...hosts.keys()].join(', ') || '(none defined)'}`,
    );
  }

  anycast(hosts: Map<string, Host>): Anycast[] {
    return Object.entries(this.raw.anycast).map(([name, raw]) => {
      const path = ['anycast', name];
      raw.nodes.forEach((n, i) => {
        if (!hosts.has(n)) this.unknownHost([...path, 'nodes', i], n, hosts);
      });
      const area = canonicalArea(raw.area ?? '0.0.0.0');
      if (area === null)
        this.report(
          'area-invalid',
          [...path, 'area'],
          `"${raw.area}" is not an OSPF area`,
          'write the area as a dotted quad (0.0.0.1) or a number (1)',
        );
      const group: Anycast = {
        name,
        prefix: cidrText(raw.prefix, false),
        nodes: raw.nodes.filter((n) => hosts.has(n)),
        area: area ?? '0.0.0.0',
        holdDownMs: raw.holdDown === undefined ? HOLD_DOWN_DEFAULTS.holdDownMs : durationMs(raw.holdDown),
        holdDownMaxMs: raw.holdDownMax === undefined ? HOLD_DOWN_DEFAULTS.holdDownMaxMs : durationMs(raw.holdDownMax),
        path,
      };
      if (raw.cost !== undefined) group.cost = raw.cost;
      if (raw.hello !== undefined) group.hello = raw.hello;
      if (raw.dead !== undefined) group.dead = raw.dead;
      if (raw.check) {
        const check = this.checks.resolve(placeCheck(raw.check, [...path, 'check']), [...path, 'check'], {
          address: group.prefix.split('/')[0] ?? group.prefix,
          port: 0,
          vipPath: false,
        });
        if (check) group.check = check;
      }
      return group;
    });
  }

  zones(services: Service[], anycast: Anycast[], hosts: Map<string, Host>): DnsZone[] {
    const seen = new Map<string, string>();
    return Object.entries(this.raw.dns?.zones ?? {}).map(([zoneName, raw]) => {
      const path = ['dns', 'zones', zoneName];
      // DNS names compare without case and a final dot: "Example.com." and "example.com" would share one records file.
      const same = seen.get(zoneName.replace(/\.$/, '').toLowerCase());
      if (same !== undefined)
        this.report('zone-duplicate', path, `zone "${zoneName}" is the same zone as "${same}"`, 'merge the two zones into one', true);
      else seen.set(zoneName.replace(/\.$/, '').toLowerCase(), zoneName);
      (raw.servers ?? []).forEach((s, i) => {
        if (!hosts.has(s)) this.unknownHost([...path, 'servers', i], s, hosts);
      });
      const records = Object.entries(raw.records).map(([owner, values]) => ({
        name: owner,
        addresses: values.flatMap((v, i) => {
          const target =
            canonicalIp(v) ?? services.find((s) => s.name === v)?.vip ?? anycast.find((a) => a.name === v)?.prefix.split('/')[0];
          if (target === undefined) {
            this.report(
              'dns-target-unknown',
              [...path, 'records', owner, i],
              `"${v}" is not an address, a service with a vip, or an anycast group`,
              'write an address, or the name of a service or anycast group',
            );
            return [];
          }
          return [target];
        }),
      }));
      const name = zoneName.replace(/\.$/, '');
      return {
        name,
        ttl: raw.ttl ?? 300,
        servers: (raw.servers ?? []).filter((s) => hosts.has(s)),
        reload: raw.reload ?? ['rndc', 'reload', name],
        records,
      };
    });
  }
}

/** Parses "rs1", "rs1:8080", "10.0.0.11", "10.0.0.11:80", "2001:db8::11" or "[2001:db8::11]:80"; an address comes back canonical. */
export function parseRealServerShort(text: string): { host?: string; address?: string; port?: number } | null {
  const address = canonicalIp(text);
  if (address !== null) return { address };
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) return null;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  const addr = m[1] ?? m[2] ?? '';
  const withPort = <T extends object>(o: T) => (port === undefined ? o : { ...o, port });
  const canonical = canonicalIp(addr);
  if (canonical !== null) return withPort({ address: canonical });
  if (m[1] === undefined && /^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(addr)) return withPort({ host: addr });
  return null;
}

/** The address by which directors reach a host: on a shared network if any, else its first of the family. */
export function pickAddress(host: Host, directors: Host[], family?: Family): string | undefined {
  const ofFamily = (cidr: string) => family === undefined || familyOf(cidr) === family;
  const shared = new Set(directors.flatMap((d) => d.interfaces.map((i) => i.network)));
  const onShared = host.interfaces
    .filter((i) => shared.has(i.network))
    .flatMap((i) => i.addresses)
    .find(ofFamily);
  const any = host.interfaces.flatMap((i) => i.addresses).find(ofFamily);
  return (onShared ?? any)?.split('/')[0];
}

/** Resolves a schema-valid raw topology; reference errors come back as diagnostics. */
export function resolveTopology(raw: RawTopology): { topology: Topology; diagnostics: Diagnostic[] } {
  const r = new Resolver(raw);
  const networks = r.networks();
  const hosts = r.hosts(networks);
  const services = r.services(hosts);
  const anycast = r.anycast(hosts);
  const zones = r.zones(services, anycast, hosts);
  return { topology: { networks, hosts, services, anycast, zones }, diagnostics: [...r.diagnostics, ...r.checks.diagnostics] };
}
