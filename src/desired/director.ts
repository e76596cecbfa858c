// What a director needs for its virtual services: IPVS, the VIP, forwarding, FullNAT's SNAT.
import { canonicalSchedFlags } from '../drivers/ipvs/flags.js';
import { prefixOf, sourceTowards } from '../topology/checks.js';
import { familyOf } from '../topology/resolve.js';
import type { Host, Service, Topology } from '../topology/types.js';
import { hostCidr } from '../topology/resolve.js';
import { confKey, type HostBuilder } from './builder.js';
import { announcedGroups } from '../topology/ecmp.js';
import { serviceKey } from '../model/keys.js';
import { contains, parseIp } from '../net/ip.js';
import type { IpvsForward } from '../model/state.js';
import { snatRule } from '../drivers/nft/rules.js';

/** The IPVS forwarding of each method. */
export const FORWARD: Record<Service['method'], IpvsForward> = { nat: 'masq', fullnat: 'masq', dr: 'gate', tun: 'ipip' };

/** The device a director holds a VIP on: lo for anycast VIPs, else the interface whose network holds it, else lo. */
export function vipDevice(t: Topology, director: Host, vip: string): string {
  const anycast = announcedGroups(t).some((g) => g.nodes.includes(director.name) && g.prefix.split('/')[0] === vip);
  if (anycast) return 'lo';
  const ip = parseIp(vip);
  const onLink = director.interfaces.find((i) => {
    const network = t.networks.get(i.network);
    const net = network === undefined ? null : prefixOf(network);
    return ip !== null && net !== null && contains(net, ip);
  });
  return onLink?.name ?? 'lo';
}

/** Adds one service's director-side objects to a director's state. */
export function addDirectorService(t: Topology, b: HostBuilder, director: Host, s: Service): void {
  const family = s.id.protocol === 'fwmark' ? s.id.family : familyOf(s.id.address);
  b.module('ip_vs');
  b.module(`ip_vs_${s.scheduler}`);
  // A VRRP VIP is keepalived's to add and remove (see vrrp.ts): lbctl puts it nowhere, not even at boot.
  if (s.vip !== undefined && s.ha !== 'vrrp') b.address({ device: vipDevice(t, director, s.vip), cidr: hostCidr(s.vip) });
  if (s.persistence) b.sysctl('net.ipv4.vs.expire_quiescent_template', '1');
  // A client that reuses a port while IPVS still keeps that port's old connection (FIN_WAIT for DR/TUN, minutes)
  // has its new SYN sent where the old one went. Once that real server is drained to weight 0, and after it is
  // deleted (lbctl drains before it deletes; the agent removes or weighs 0), this makes IPVS schedule the SYN
  // afresh, and expire the old connection at its next packet, instead of sending it to a server that no longer
  // takes new connections or holds the VIP. Connections in progress on a weight-0 server still finish.
  b.sysctl('net.ipv4.vs.expire_nodest_conn', '1');
  if (s.ha === 'ecmp') {
    // A flow the routers re-hash to this director arrives mid-stream: accept it without having seen its SYN.
    b.sysctl('net.ipv4.vs.sloppy_tcp', '1');
    b.sysctl('net.ipv4.vs.sloppy_sctp', '1');
    b.ecmpService(serviceKey(s.id));
  }
  if (s.method === 'nat' || s.method === 'fullnat') {
    b.sysctl(family === 'inet6' ? confKey('ipv6', 'all', 'forwarding') : 'net.ipv4.ip_forward', '1');
  }
  if (s.method === 'fullnat') {
    b.sysctl('net.ipv4.vs.conntrack', '1');
    for (const rs of s.realServers) {
      const to = {
        family: family === 'inet6' ? ('ip6' as const) : ('ip' as const),
        destination: rs.address,
        ...(s.id.protocol !== 'fwmark' && rs.port !== 0 ? { transport: s.id.protocol, port: rs.port } : {}),
      };
      b.nftRule(to.family, 'postrouting', snatRule(to, sourceTowards(t, director, rs), `fullnat ${s.name}`));
    }
  }
  b.service({
    id: s.id,
    scheduler: s.scheduler,
    flags: canonicalSchedFlags(s.scheduler, s.flags),
    persistence: s.persistence,
    onePacket: s.onePacket,
    destinations: s.realServers.map((rs) => ({
      address: rs.address,
      port: rs.port,
      forward: FORWARD[s.method],
      weight: rs.weight,
      upper: rs.upper,
      lower: rs.lower,
    })),
  });
}
