// The resolved topology: short forms expanded, defaults applied, references resolved to addresses.
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

/** A real server of a virtual service, resolved to an address. */
export interface RealServer {
  /** The topology host it runs on, when it is one. */
  host?: string;
  address: string;
  port: number;
  weight: number;
  upper: number;
  lower: number;
  path: NodePath;
}

/** A virtual service as lbctl will set it up on each of its directors. */
export interface Service {
  name: string;
  id: IpvsServiceId;
  /** The VIP (absent for fwmark services, whose traffic is marked by other rules). */
  vip?: string;
  scheduler: string;
  flags: string[];
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
