// The seed 004 anycast lab (R1, R2, DNS1 announcing 6.6.6.6/32) as OspfConfig values, with the fast lab timers
// of LAB-NOTES (hello 1, dead 3, retransmit 1, spf 0 50 1000, lsa all 0, min-arrival 0).
import type { OspfConfig, OspfInterface, OspfTimers } from '../../../src/model/routing.js';

const LAB_LINK = { hello: 1, dead: 3, retransmit: 1 } as const;
const LAB_TIMERS: OspfTimers = { spfThrottle: [0, 50, 1000], lsaThrottle: 0, lsaMinArrival: 0 };

function link(name: string, extra: Partial<OspfInterface> = {}): OspfInterface {
  return { name, passive: false, pointToPoint: false, ...LAB_LINK, ...extra };
}

function host(
  hostname: string,
  routerId: string,
  networks: Array<[prefix: string, area: string]>,
  interfaces: OspfInterface[],
): OspfConfig {
  const list = networks.map(([prefix, area]) => ({ prefix, area }));
  return { flavour: 'quagga', hostname, routerId, password: 'foobar', networks: list, interfaces, timers: LAB_TIMERS };
}

/** R1: backbone link to R2 (eth0, point-to-point), the DNS LAN (eth1), ECMP over three DNS nodes. */
export function r1(): OspfConfig {
  const networks: Array<[string, string]> = [
    ['6.6.6.6/32', '0.0.0.2'],
    ['10.0.0.0/24', '0.0.0.2'],
    ['10.211.55.0/24', '0.0.0.0'],
    ['10.211.77.0/24', '0.0.0.2'],
  ];
  return { ...host('R1', '10.211.55.17', networks, [link('eth0', { pointToPoint: true }), link('eth1')]), maximumPaths: 3 };
}

/** R2: backbone link to R1 (eth0), the PC LAN (eth1) announced but passive. */
export function r2(): OspfConfig {
  const networks: Array<[string, string]> = [
    ['10.211.55.0/24', '0.0.0.0'],
    ['10.211.66.0/24', '0.0.0.1'],
  ];
  return host('R2', '10.211.55.18', networks, [link('eth0', { pointToPoint: true }), { name: 'eth1', passive: true, pointToPoint: false }]);
}

/** DNS1: the DNS LAN (eth0) and the anycast VIP 6.6.6.6/32 on lo, with a cost and passive. */
export function dns1(): OspfConfig {
  const networks: Array<[string, string]> = [
    ['6.6.6.6/32', '0.0.0.2'],
    ['10.211.77.0/24', '0.0.0.2'],
  ];
  return host('DNS1', '10.211.77.1', networks, [link('eth0'), { name: 'lo', cost: 10, passive: true, pointToPoint: false }]);
}

/** Every seed host, by name. */
export const SEED_HOSTS: ReadonlyArray<readonly [string, () => OspfConfig]> = [
  ['R1', r1],
  ['R2', r2],
  ['DNS1', dns1],
];
