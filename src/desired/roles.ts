// What each host is in the topology, as far as the order of a rollout goes.
import { servedBy } from '../topology/resolve.js';
import type { Topology } from '../topology/types.js';

/** A host's parts: routing for others, directing services, serving as a real server. */
export interface HostRoles {
  router: boolean;
  director: boolean;
  realServer: boolean;
}

/** The roles of every host of the topology, by name. */
export function rolesOf(t: Topology): Map<string, HostRoles> {
  const roles = new Map(
    [...t.hosts.values()].map((h) => [h.name, { router: h.roles.includes('router'), director: false, realServer: false }]),
  );
  for (const s of t.services) {
    for (const d of s.directors) roles.get(d)!.director = true;
    for (const rs of servedBy(s)) roles.get(rs.host)!.realServer = true;
  }
  return roles;
}
