// The OSPF configuration of one routing host (router or anycast node), rendered to quagga or FRR files.

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
  timers: OspfTimers;
}
