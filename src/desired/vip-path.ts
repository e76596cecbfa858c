// The VIP path of DR/TUN checks: the director's agent probes each such real server at VIP:port, as a client's
// packets reach it, so a server that lost the VIP on its lo/tunl0 fails its check (a probe of its own address
// would pass). As Seesaw does it: per (service, real server), an IPVS fwmark service holding only that server with
// the service's forwarding, and a mark on the probe's packets — set here by an nft rule in lbctl's output chain that
// matches the probe's dedicated source port. The probe binds the director's own address towards the server: from
// the VIP (the source the kernel would pick, since the director holds it) the server would answer itself.
import { fnv1a, markRule } from '../drivers/nft/rules.js';
import { destinationChangeKey, destinationKey, naturalCompare, serviceKey } from '../model/keys.js';
import type { Family, IpvsForward } from '../model/state.js';
import { sourceTowards } from '../topology/checks.js';
import { VIP_PATH } from '../topology/health.js';
import { familyOf } from '../topology/resolve.js';
import type { HealthCheck, Host, Topology } from '../topology/types.js';
import { confKey, type HostBuilder } from './builder.js';
import { FORWARD } from './director.js';

/** One real server's VIP path on one director. */
export interface VipPath {
  /** The service (name and key) and the real server (destination key) it checks. */
  service: string;
  serviceKey: string;
  server: string;
  /** The real server's address and the service's forwarding: the fwmark service's only destination. */
  address: string;
  forward: IpvsForward;
  family: Family;
  /** Where the probe connects: the VIP and the check's port, over the check's transport. */
  vip: string;
  port: number;
  transport: 'tcp' | 'udp';
  /** What the probe binds: the director's address towards the server and the path's own port. */
  source: string;
  sourcePort: number;
  /** The director's interface holding `source`, where the server's replies (from the VIP) come in. */
  device: string;
  mark: number;
  /** The check's timing, which a rollout's readiness probe through the path keeps. */
  timing: Pick<HealthCheck, 'timeoutMs' | 'intervalMs' | 'rise'>;
}

/** Check kinds by the transport their probe uses. */
const TRANSPORT = { tcp: 'tcp', http: 'tcp', https: 'tcp', dns: 'udp', udp: 'udp' } as const;

/** The key a VIP path's slot is hashed from: stable while the service and real server stay. */
const slotKey = (p: Pick<VipPath, 'serviceKey' | 'server'>) => destinationChangeKey(p.serviceKey, p.server);

/**
 * The VIP paths of `director`, sorted by service and server. Each takes the slot its key hashes to, or the next free
 * one (in key order), so adding a real server moves no other path unless their hashes collide.
 */
export function vipPaths(t: Topology, director: Host): VipPath[] {
  const paths: Omit<VipPath, 'sourcePort' | 'mark'>[] = [];
  for (const s of t.services) {
    if (!s.directors.includes(director.name) || s.vip === undefined) continue;
    for (const rs of s.realServers) {
      const check = rs.check;
      if (!check?.viaVip || !(check.kind in TRANSPORT)) continue;
      const source = sourceTowards(t, director, rs);
      const device = director.interfaces.find((i) => i.addresses.some((a) => a.split('/')[0] === source))?.name;
      if (source === undefined || device === undefined) continue;
      paths.push({
        service: s.name,
        serviceKey: serviceKey(s.id),
        server: destinationKey(rs),
        address: rs.address,
        forward: FORWARD[s.method],
        family: familyOf(s.vip),
        vip: s.vip,
        port: check.port,
        transport: TRANSPORT[check.kind as keyof typeof TRANSPORT],
        source,
        device,
        timing: { timeoutMs: check.timeoutMs, intervalMs: check.intervalMs, rise: check.rise },
      });
    }
  }
  if (paths.length > VIP_PATH.slots)
    throw new Error(`director ${director.name}: ${paths.length} VIP-path checks, more than the ${VIP_PATH.slots} it has room for`);
  const taken = new Set<number>();
  return paths
    .sort((a, b) => naturalCompare(slotKey(a), slotKey(b)))
    .map((p) => {
      let slot = parseInt(fnv1a(slotKey(p)), 16) % VIP_PATH.slots;
      while (taken.has(slot)) slot = (slot + 1) % VIP_PATH.slots;
      taken.add(slot);
      return { ...p, sourcePort: VIP_PATH.firstPort + slot, mark: VIP_PATH.firstMark + slot };
    });
}

/**
 * Adds the director's VIP paths: per path a one-server fwmark service and the rule marking its probes; on each
 * interface the servers answer through, IPv4's `accept_local` (their replies come from the VIP, an address of the
 * director's own, which it would drop as martian) and loose `rp_filter` (strict would drop them too: the VIP routes
 * to lo). IPv6 drops no packet for a local source address.
 */
export function addVipPaths(t: Topology, b: HostBuilder, director: Host): void {
  const paths = vipPaths(t, director);
  for (const p of paths) {
    b.module('ip_vs_rr');
    b.service({
      id: { protocol: 'fwmark', mark: p.mark, family: p.family },
      scheduler: 'rr',
      flags: [],
      persistence: null,
      onePacket: false,
      destinations: [{ address: p.address, port: 0, forward: p.forward, weight: 1, upper: 0, lower: 0 }],
    });
    const family = p.family === 'inet6' ? 'ip6' : 'ip';
    const flow = { family, transport: p.transport, source: p.source, sourcePort: p.sourcePort, destination: p.vip, port: p.port } as const;
    b.nftRule(family, 'output', markRule(flow, p.mark, `vip-path ${p.service} ${p.server}`));
    if (p.transport === 'tcp')
      b.readinessProbe({
        destination: slotKey(p),
        source: p.source,
        sourcePort: p.sourcePort,
        address: p.vip,
        port: p.port,
        ...p.timing,
      });
    if (p.family === 'inet') {
      b.sysctl(confKey('ipv4', p.device, 'accept_local'), '1');
      b.sysctl(confKey('ipv4', p.device, 'rp_filter'), '2');
    }
  }
}
