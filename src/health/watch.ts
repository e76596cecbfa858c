// What one host's agent watches, from the topology: the pools of the services it directs and the anycast groups
// it announces, each member tied to one probe (members sharing target, check and interval share the probe).
import { FORWARD } from '../desired/director.js';
import { vipPaths } from '../desired/vip-path.js';
import { destinationKey, serviceKey } from '../model/keys.js';
import type { IpvsDestination, IpvsServiceId } from '../model/state.js';
import type { Anycast, HealthCheck, PoolPolicy, Topology } from '../topology/types.js';
import type { ProbeTiming } from './schedule.js';

/** Where a probe connects, and the local address and port it binds (absent: the kernel picks). */
export interface ProbeTarget {
  address: string;
  port: number;
  local?: { address: string; port: number };
}

/** One probe: a check against a target (check.address:check.port, or `via` the VIP path). */
export interface WatchedProbe extends ProbeTiming {
  check: HealthCheck;
  /** The real server's own address (or the anycast node's). */
  server: string;
  /**
   * The VIP path the probe takes instead of check.address:check.port: to the VIP, from the source the director's
   * nft rule marks (desired/vip-path.ts).
   */
  via?: ProbeTarget;
}

/** A real server of a watched pool, as the topology puts it in the kernel. */
export interface WatchedMember {
  key: string;
  destination: IpvsDestination;
  /** The probe deciding its health; absent: unchecked (always up). */
  probe?: string;
}

/** A service this host directs, with its members and policy. */
export interface WatchedPool {
  service: string;
  key: string;
  id: IpvsServiceId;
  policy: PoolPolicy;
  members: WatchedMember[];
  /** The sorry server as a destination, when the service has one. */
  sorry?: IpvsDestination;
}

/** An anycast group this host announces with a check. */
export interface WatchedAnycast {
  group: string;
  prefix: string;
  probe: string;
  holdDownMs: number;
  holdDownMaxMs: number;
}

/** Everything one host's agent watches. */
export interface Watch {
  probes: Map<string, WatchedProbe>;
  pools: WatchedPool[];
  anycast: WatchedAnycast[];
}

/** The identity of a probe: what it sends where (and by which path), how often; equal texts are one probe. */
function probeKey(p: Omit<WatchedProbe, 'key'>): string {
  const { path: _path, ...check } = p.check;
  return JSON.stringify({ ...check, server: p.server, ...(p.via ? { via: p.via } : {}) });
}

/** True when `host` has anything to watch (a checked pool it directs, or a checked anycast group it announces). */
export function hasChecks(t: Topology, host: string): boolean {
  const w = watchFor(t, host);
  return w.probes.size > 0;
}

/**
 * Where an anycast node's check goes: the address the operator wrote, else the node's own (its router-id). Not the
 * prefix: once withdrawn, the prefix leads to another node, whose answer would bring this one back.
 */
export function anycastCheckAddress(t: Topology, g: Anycast, host: string): string | undefined {
  if (!g.check) return undefined;
  return g.check.addressSet ? g.check.address : (t.hosts.get(host)?.routing?.routerId ?? g.check.address);
}

/** The watch of host `host`. */
export function watchFor(t: Topology, host: string): Watch {
  const probes = new Map<string, WatchedProbe>();
  const add = (p: Omit<WatchedProbe, 'key'>): string => {
    const key = probeKey(p);
    if (!probes.has(key)) probes.set(key, { ...p, key });
    return key;
  };
  const director = t.hosts.get(host);
  const paths = new Map((director ? vipPaths(t, director) : []).map((p) => [`${p.service} ${p.server}`, p]));
  const pools = t.services
    .filter((s) => s.directors.includes(host) && (s.realServers.some((rs) => rs.check) || s.pool.sorryServer))
    .map((s): WatchedPool => {
      const forward = FORWARD[s.method];
      const members = s.realServers.map((rs): WatchedMember => {
        const destination = { address: rs.address, port: rs.port, forward, weight: rs.weight, upper: rs.upper, lower: rs.lower };
        const member: WatchedMember = { key: destinationKey(destination), destination };
        const path = paths.get(`${s.name} ${member.key}`);
        const via = path && { address: path.vip, port: path.port, local: { address: path.source, port: path.sourcePort } };
        if (rs.check)
          member.probe = add({
            intervalMs: rs.check.intervalMs,
            timeoutMs: rs.check.timeoutMs,
            check: rs.check,
            server: rs.address,
            ...(via ? { via } : {}),
          });
        return member;
      });
      const pool: WatchedPool = { service: s.name, key: serviceKey(s.id), id: s.id, policy: s.pool, members };
      const sorry = s.pool.sorryServer;
      if (sorry) pool.sorry = { address: sorry.address, port: sorry.port, forward, weight: 1, upper: 0, lower: 0 };
      return pool;
    });
  const anycast = t.anycast.flatMap((g): WatchedAnycast[] => {
    const address = anycastCheckAddress(t, g, host);
    if (!g.check || address === undefined || !g.nodes.includes(host)) return [];
    const check = { ...g.check, address };
    const probe = add({ intervalMs: check.intervalMs, timeoutMs: check.timeoutMs, check, server: address });
    return [{ group: g.name, prefix: g.prefix, probe, holdDownMs: g.holdDownMs, holdDownMaxMs: g.holdDownMaxMs }];
  });
  return { probes, pools, anycast };
}
