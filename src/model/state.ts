// The state of one host, desired (computed from the topology) or observed (probed or captured).
// Plain, JSON-serialisable values; every list is kept sorted by its key so plans are deterministic.

/** Address family, named as ip(8) and nft(8) name them. */
export type Family = 'inet' | 'inet6';

/** Transport protocols IPVS balances by address and port. */
export type Protocol = 'tcp' | 'udp' | 'sctp';

/** IPVS packet-forwarding method, named as ipvsadm-save prints it (-m, -g, -i). */
export type IpvsForward = 'masq' | 'gate' | 'ipip';

/** What identifies an IPVS virtual service: an address/port/protocol triple or a firewall mark. */
export type IpvsServiceId = { protocol: Protocol; address: string; port: number } | { protocol: 'fwmark'; mark: number; family: Family };

/** Client affinity of a virtual service (ipvsadm -p/-M). */
export interface Persistence {
  timeout: number;
  /** IPv4 dotted netmask, or an IPv6 prefix length as a decimal string. */
  netmask: string;
}

/** The attributes of a virtual service that ipvsadm -E can change in place. */
export interface IpvsServiceAttrs {
  scheduler: string;
  /** Scheduler flags (-b) in canonical form: as ipvsadm-save prints them, in bit order (drivers/ipvs/flags.ts). */
  flags: string[];
  persistence: Persistence | null;
  /** One-packet scheduling (-o), for UDP. */
  onePacket: boolean;
}

/** A real server inside a virtual service. */
export interface IpvsDestination {
  address: string;
  port: number;
  forward: IpvsForward;
  weight: number;
  /** Upper connection threshold (-x); 0 means none. */
  upper: number;
  /** Lower connection threshold (-y); 0 means none. */
  lower: number;
  /** Observed only: connections in use and lingering (from `ipvsadm -Ln`), to finish a drain. */
  activeConns?: number;
  inactiveConns?: number;
}

/** IPVS's TCP connection states as its connection table names them (UDP and others show their protocol instead). */
export const IPVS_TCP_STATES = [
  'NONE',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'SYNACK',
] as const;

/** One entry of the director's IPVS connection table (/proc/net/ip_vs_conn): client → VIP → real server. */
export interface IpvsConnection {
  protocol: Protocol;
  client: { address: string; port: number };
  virtual: { address: string; port: number };
  destination: { address: string; port: number };
  /** The TCP state; null for UDP and SCTP. */
  state: (typeof IPVS_TCP_STATES)[number] | null;
  /** Seconds until the entry expires (each packet of the connection may restart it). */
  expiresS: number;
}

/** A virtual service with its real servers (destinations sorted by address, then port). */
export interface IpvsService extends IpvsServiceAttrs {
  id: IpvsServiceId;
  destinations: IpvsDestination[];
}

/**
 * A TCP connect from the director through one real server's VIP path (desired/vip-path.ts): it succeeds only when the
 * server holds the VIP and listens, as a client's connection through the director would find it.
 */
export interface ReadinessProbe {
  /** The destination it proves, as its change is keyed ("tcp 10.0.0.100:80 10.0.0.11:80"). */
  destination: string;
  /** The director's address and the path's own port, which its nft rule marks for the path's one-server service. */
  source: string;
  sourcePort: number;
  /** The VIP and the check's port. */
  address: string;
  port: number;
  /** The check's timing: each connect's timeout, the pause between connects, the passes in a row that prove it. */
  timeoutMs: number;
  intervalMs: number;
  rise: number;
}

/** An address assigned to a device (`ip addr`), e.g. a VIP on lo as /32. */
export interface Address {
  device: string;
  /** Canonical address/prefix, e.g. "10.0.0.100/32" or "2001:db8::1/128". */
  cidr: string;
}

/** A network device lbctl brings up and tunes (the ipip fallback device tunl0). */
export interface Link {
  name: string;
  kind: 'ipip';
  up: boolean;
  mtu: number;
}

/** A route of the main table; lbctl manages default routes (NAT real servers via their director) and static routes. */
export interface Route {
  family: Family;
  /** "default" or a canonical prefix. */
  destination: string;
  via: string;
  /** The route's metric when it is not the kernel's default for the family (0 for IPv4, 1024 for IPv6). */
  metric?: number;
}

/** The metric the kernel gives a route added without one. */
export const DEFAULT_ROUTE_METRIC: Record<Family, number> = { inet: 0, inet6: 1024 };

/** An nftables table owned wholly by lbctl, replaced atomically when it differs. */
export interface NftTable {
  family: 'ip' | 'ip6';
  name: string;
  /** Rules of the postrouting NAT chain, in nft syntax, each ending in a comment that identifies it. */
  rules: string[];
  /** Rules of the output route chain that mark lbctl agent's VIP-path probes (desired/vip-path.ts), same form. */
  output: string[];
}

/** An IPVS connection synchronisation daemon (`ipvsadm --start-daemon ROLE --mcast-interface IF --syncid N`). */
export interface SyncDaemon {
  /** master sends this director's connections; backup receives its peers'. A VRRP director runs both. */
  role: 'master' | 'backup';
  interface: string;
  syncId: number;
}

/** A file lbctl writes: routing configs, sysctl.d, modules-load.d, ipvsadm rules, DNS zones. */
export interface ManagedFile {
  path: string;
  content: string;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** Owner and group the consuming daemon expects ("root" when absent). */
  owner?: string;
  group?: string;
  /** Name of the service reload (see HostState.reloads) this file triggers when it changes. */
  reload?: string;
  /** A checker the new content must pass before it replaces the old one (frr: FRR's own parser, vtysh -C). */
  check?: 'frr' | 'keepalived';
}

/** A daemon reload lbctl runs after files it reads have changed. */
export interface Reload {
  name: string;
  argv: string[];
}

/** Everything lbctl manages on one host. */
export interface HostState {
  host: string;
  /** Kernel modules that must be loaded, sorted. */
  modules: string[];
  /** Sysctl values by dotted key (net.ipv4.conf.all.arp_ignore). */
  sysctls: Record<string, string>;
  links: Link[];
  addresses: Address[];
  routes: Route[];
  ipvs: IpvsService[];
  nft: NftTable[];
  files: ManagedFile[];
  reloads: Reload[];
  /** IPVS connection sync daemons, sorted by role (absent: none wanted, or a capture that predates them). */
  syncDaemons?: SyncDaemon[];
  /** Desired only: VIPs VRRP moves between directors: lbctl neither adds nor removes them, nor calls them drift. */
  floating?: Address[];
  /**
   * Desired only: sysctls (keys) set back to the values lbctl found before it changed them, which no role wants now.
   * They are put back with the deletions, once what needed them (a VIP on lo needs arp_ignore) is gone.
   */
  restoredSysctls?: string[];
  /** Desired only: services (keys) of `ha: ecmp`, whose destinations every director adds in one order (mh needs it). */
  ecmpServices?: string[];
  /** Desired only (directors): how a rollout proves each DR/TUN real server with a VIP-path check ready before sending it traffic. */
  readiness?: ReadinessProbe[];
  /** Observed only: aspects the captures could not show, which the planner must not call drift. */
  unobserved?: 'ipvs-thresholds'[];
}

/** A host state with nothing in it: the observed state of a host in `--offline` plans. */
export function emptyHostState(host: string): HostState {
  return { host, modules: [], sysctls: {}, links: [], addresses: [], routes: [], ipvs: [], nft: [], files: [], reloads: [] };
}
