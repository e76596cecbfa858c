// The OSPF configuration of one routing host (router or anycast node), rendered to quagga or FRR files: OSPFv2
// (ospfd) for IPv4 prefixes and, when the host has IPv6 ones, OSPFv3 (ospf6d).

/** Per-interface OSPF settings (`interface X` / `ip ospf ...`). */
export interface OspfInterface {
  name: string;
  cost?: number;
  passive: boolean;
  pointToPoint: boolean;
  hello?: number;
  dead?: number;
  retransmit?: number;
  /** BFD on the interface (`ip ospf bfd`): a dead neighbour is seen in 300 ms, not after the dead interval. */
  bfd?: boolean;
  /** Router priority (`ip ospf priority`); 0 keeps the host out of the segment's DR/BDR election. */
  priority?: number;
}

/** An interface in OSPFv3 (ospf6d), which has no `network` statements: each interface names its area. */
export interface Ospf6Interface extends OspfInterface {
  area: string;
}

/** A `network PREFIX area AREA` statement. */
export interface OspfNetwork {
  prefix: string;
  area: string;
}

/** SPF/LSA timers under `router ospf` (milliseconds); absent values keep the daemon defaults. */
export interface OspfTimers {
  spfThrottle?: [number, number, number];
  lsaThrottle?: number;
  lsaMinArrival?: number;
}

/** Everything needed to render one host's routing configuration. */
export interface OspfConfig {
  flavour: 'quagga' | 'frr';
  hostname: string;
  routerId: string;
  /** vty password (quagga style `password`); absent: no password line. */
  password?: string;
  /** ECMP: maximum-paths under router ospf. */
  maximumPaths?: number;
  /** Sorted by prefix. */
  networks: OspfNetwork[];
  /** Sorted by name; lo carries the cost of anycast /32s. */
  interfaces: OspfInterface[];
  /** OSPFv3 (ospf6d) interfaces, sorted by name: those in IPv6 networks, and lo for IPv6 anycast /128s; absent: no ospf6d. */
  interfaces6?: Ospf6Interface[];
  timers: OspfTimers;
}
