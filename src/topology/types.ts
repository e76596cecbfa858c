// The resolved topology: short forms expanded, defaults applied, references resolved to addresses.
import type { SchedFlag } from '../drivers/ipvs/flags.js';
import type { IpvsServiceId, Persistence } from '../model/state.js';
import type { OspfInterface, OspfTimers } from '../model/routing.js';
import type { NodePath } from './diagnostics.js';

/** Forwarding method of a virtual service. */
export type Method = 'nat' | 'dr' | 'tun' | 'fullnat';

/** Director high availability of a service: all directors active behind ECMP, or one VRRP master. */
export type HaMode = 'ecmp' | 'vrrp';

/** An L2 segment (or point-to-point link) hosts attach to. */
export interface Network {
  name: string;
  /** Canonical network prefix, e.g. "10.211.55.0/24". */
  prefix: string;
  pointToPoint: boolean;
}

/** A host's interface with its addresses (canonical "addr/len", host bits kept). */
export interface HostInterface {
  name: string;
  network: string;
  addresses: string[];
}

/** Routing daemon settings of a router or anycast node, with defaults applied. */
export interface Routing {
  flavour: 'quagga' | 'frr';
  routerId: string;
  password?: string;
  maximumPaths?: number;
  networks: { prefix: string; area: string }[];
  /** Interface settings written by the operator, by interface name. */
  interfaces: Map<string, Partial<OspfInterface>>;
  hello?: number;
  dead?: number;
  retransmit?: number;
  pointToPoint: boolean;
  timers: OspfTimers;
  configDir: string;
  /** The operator's reload command; absent: per-daemon defaults (see model/persist.ts). */
  reload?: string[];
}

/** A machine of the topology: director, real server, router, anycast node, client. */
export interface Host {
  name: string;
  roles: string[];
  interfaces: HostInterface[];
  gateway?: string;
  /** Static routes: canonical prefix → next hop. */
  routes: { destination: string; via: string }[];
  routing?: Routing;
  path: NodePath;
}

/** A health check with defaults applied; durations in milliseconds. */
export interface HealthCheck {
  kind: 'tcp' | 'http' | 'https' | 'dns' | 'udp' | 'icmp' | 'exec';
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  /** The port probed (the real server's, or the override). */
  port: number;
  /** Where the probe goes: the real server's address or the override. */
  address: string;
  /** The operator wrote `address:` (else: the real server's, or for anycast the node's own address). */
  addressSet: boolean;
  /**
   * True when the probe must reach the server as VIP traffic does (DR/TUN services with a VIP, port checks without an
   * address override): the director's agent probes it through the VIP path (desired/vip-path.ts).
   */
  viaVip: boolean;
  http?: { method: string; path: string; status: number[]; body?: string; digest?: string; host?: string; sni?: string; verify: boolean };
  dns?: { name: string; type: string; rcode: string; answer?: string };
  udp?: { send: string; expect?: string };
  exec?: { command: string[] };
  /** In-band failure counting (NAT/FullNAT TCP): `failures` failed client connections within `windowMs` mark it down. */
  inBand?: { failures: number; windowMs: number; unansweredMs: number };
  path: NodePath;
}

/** What the agent does when a real server fails its check. */
export type OnFailure = 'weight0' | 'remove';

/** How a service's pool reacts to health: all set by the topology, with defaults. */
export interface PoolPolicy {
  onFailure: OnFailure;
  /** The sorry server, with the topology host it runs on when written as one (apply prepares it as a real server). */
  sorryServer?: { address: string; port: number; host?: string };
  /** Healthy weight below which the service is down (0: no quorum). */
  quorum: number;
  hysteresis: number;
  /** Percent of the pool that failing checks may take out at once. */
  failOpenPercent: number;
}

/** Where a server is: its address, and the topology host it runs on when it is one. */
export type ServerPlace = Pick<RealServer, 'host' | 'address'>;

/** A real server of a virtual service, resolved to an address. */
export interface RealServer {
  /** The topology host it runs on, when it is one. */
  host?: string;
  address: string;
  port: number;
  weight: number;
  upper: number;
  lower: number;
  /** Its health check (the service's, with its overrides), when it has one. */
  check?: HealthCheck;
  path: NodePath;
}

/** A virtual service as lbctl will set it up on each of its directors. */
export interface Service {
  name: string;
  id: IpvsServiceId;
  /** The VIP (absent for fwmark services, whose traffic is marked by other rules). */
  vip?: string;
  scheduler: string;
  /** Scheduler flags as the file lists them (the desired IPVS service holds their canonical form). */
  flags: SchedFlag[];
  persistence: Persistence | null;
  onePacket: boolean;
  method: Method;
  directors: string[];
  /** How several directors share the VIP; absent: one director, or directors that do not share a network. */
  ha?: HaMode;
  realServers: RealServer[];
  /** MTU for tunl0 on TUN real servers. */
  tunMtu: number;
  /** True when the operator wrote `mtu:` (and so has seen the MSS advice). */
  tunMtuExplicit: boolean;
  pool: PoolPolicy;
  path: NodePath;
}

/** An anycast prefix announced by OSPF from several nodes. */
export interface Anycast {
  name: string;
  prefix: string;
  nodes: string[];
  area: string;
  cost?: number;
  hello?: number;
  dead?: number;
  /** Check of the local service on each node (address: the prefix's). */
  check?: HealthCheck;
  holdDownMs: number;
  holdDownMaxMs: number;
  path: NodePath;
}

/** A DNS zone lbctl emits records for. */
export interface DnsZone {
  name: string;
  ttl: number;
  servers: string[];
  /** How the name server re-reads the zone (default `rndc reload ZONE`). */
  reload: string[];
  /** Owner name → canonical addresses, in the order written. */
  records: { name: string; addresses: string[] }[];
}

/** A whole resolved topology. */
export interface Topology {
  networks: Map<string, Network>;
  hosts: Map<string, Host>;
  services: Service[];
  anycast: Anycast[];
  zones: DnsZone[];
}
