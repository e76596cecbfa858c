// Topology → the desired state of every host.
import type { Topology } from '../topology/types.js';
import { confKey, HostBuilder } from './builder.js';
import { addDirectorService } from './director.js';
import { hostCidr } from '../topology/resolve.js';
import { announcedGroups, ecmpPathsOf } from '../topology/ecmp.js';
import { familyOf, servedBy } from '../topology/resolve.js';
import { addPersistenceFiles, addRoutingFiles, addZoneFile } from './persist.js';
import { addRealServerService } from './realserver.js';
import { ospfConfigOf } from './routing-config.js';
import { addVrrpDirector } from './vrrp.js';
import { addVipPaths } from './vip-path.js';
import type { HostState } from '../model/state.js';

/** Computes every host's desired state, keyed by host name in topology order. */
export function desiredStates(t: Topology): Map<string, HostState> {
  const builders = new Map([...t.hosts.keys()].map((name) => [name, new HostBuilder(name)]));
  const builder = (name: string) => builders.get(name) as HostBuilder;
  for (const s of t.services) {
    for (const d of s.directors) addDirectorService(t, builder(d), t.hosts.get(d)!, s);
    for (const rs of servedBy(s)) addRealServerService(t, builder(rs.host), t.hosts.get(rs.host)!, s, rs);
  }
  for (const host of t.hosts.values()) addVrrpDirector(t, builder(host.name), host);
  for (const d of new Set(t.services.flatMap((s) => s.directors))) addVipPaths(t, builder(d), t.hosts.get(d)!);
  for (const g of announcedGroups(t)) {
    const address = g.prefix.split('/')[0] ?? g.prefix;
    for (const n of g.nodes) {
      builder(n).address({ device: 'lo', cidr: hostCidr(address) });
      // With a check, lbctl agent may withdraw the prefix from lo: a service (re)started meanwhile must still be
      // able to bind the prefix's address, to answer once it is announced again.
      if (g.check) builder(n).sysctl(familyOf(address) === 'inet6' ? 'net.ipv6.ip_nonlocal_bind' : 'net.ipv4.ip_nonlocal_bind', '1');
    }
  }
  for (const host of t.hosts.values()) {
    const b = builder(host.name);
    if (host.gateway !== undefined) b.route({ family: familyOf(host.gateway), destination: 'default', via: host.gateway });
    for (const r of host.routes) b.route({ family: familyOf(r.via), destination: r.destination, via: r.via });
    if (host.roles.includes('router')) b.sysctl('net.ipv4.ip_forward', '1');
    // a router with IPv6 addresses routes IPv6 too (OSPFv3 installs its routes, the kernel must forward on them)
    if (host.roles.includes('router') && host.interfaces.some((i) => i.addresses.some((a) => a.includes(':')))) {
      b.sysctl(confKey('ipv6', 'all', 'forwarding'), '1');
    }
    // The router next to ECMP directors hashes on ports too, so one client's flows spread over the directors.
    if (ecmpPathsOf(t, host) !== undefined) b.sysctl('net.ipv4.fib_multipath_hash_policy', '1');
    const ospf = ospfConfigOf(t, host);
    if (host.routing && ospf) addRoutingFiles(b, host.routing, ospf);
  }
  for (const z of t.zones) for (const server of z.servers) addZoneFile(builder(server), z);
  for (const b of builders.values()) addPersistenceFiles(b);
  return new Map([...builders].map(([name, b]) => [name, b.build()]));
}
