// What a director needs for its virtual services: IPVS, the VIP, forwarding, FullNAT's SNAT.
import { canonicalSchedFlags } from '../drivers/ipvs/flags.js';
import { addressesOn, localAddressFor, nextHop, prefixOf, sharedNetworks } from '../topology/checks.js';
import { familyOf } from '../topology/resolve.js';
import type { Host, RealServer, Service, Topology } from '../topology/types.js';
import { hostCidr } from '../topology/resolve.js';
import { confKey, type HostBuilder } from './builder.js';
import { announcedGroups } from '../topology/ecmp.js';
import { serviceKey } from '../model/keys.js';
import { contains, parseIp } from '../net/ip.js';
import type { IpvsForward } from '../model/state.js';

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

/**
 * The source address a FullNAT director uses towards a real server: its address on a shared
 * network, else on the network of the next hop towards the server; undefined (masquerade,
 * the kernel picks per route) when the topology does not say how the server is reached.
 */
function snatSource(t: Topology, director: Host, rs: RealServer): string | undefined {
  const onShared = sharedNetworks(t, director, rs)
    .flatMap((n) => addressesOn(director, n.name))
    .find((a) => familyOf(a) === familyOf(rs.address));
  if (onShared !== undefined) return onShared;
  const hop = nextHop(director, rs.address);
  return hop === undefined ? undefined : localAddressFor(director, hop);
}

/** 32-bit FNV-1a of a text, as 8 hex digits: a short, stable fingerprint. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Adds one service's director-side objects to a director's state. */
export function addDirectorService(t: Topology, b: HostBuilder, director: Host, s: Service): void {
  const family = s.id.protocol === 'fwmark' ? s.id.family : familyOf(s.id.address);
  b.module('ip_vs');
  b.module(`ip_vs_${s.scheduler}`);
  // A VRRP VIP is keepalived's to add and remove (see vrrp.ts): lbctl puts it nowhere, not even at boot.
  if (s.vip !== undefined && s.ha !== 'vrrp') b.address({ device: vipDevice(t, director, s.vip), cidr: hostCidr(s.vip) });
  if (s.persistence) b.sysctl('net.ipv4.vs.expire_quiescent_template', '1');
  // lbctl agent may remove a failed real server: its connections are then expired at their next packet, not left
  // to time out against a server that is gone (weight 0 keeps them: they finish).
  if (s.pool.onFailure === 'remove' && s.realServers.some((rs) => rs.check)) b.sysctl('net.ipv4.vs.expire_nodest_conn', '1');
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
      const source = snatSource(t, director, rs);
      const v6 = family === 'inet6';
      const match = [`${v6 ? 'ip6' : 'ip'} daddr ${rs.address}`];
      if (s.id.protocol !== 'fwmark' && rs.port !== 0) match.push(`${s.id.protocol} dport ${rs.port}`);
      const rule = `${match.join(' ')} counter ${source === undefined ? 'masquerade' : `snat to ${source}`}`;
      // The comment is the rule's identity when lbctl reads the table back: a hash of the rule
      // text, so any change to it is seen; nft caps comments at 128 bytes.
      b.nftRule(v6 ? 'ip6' : 'ip', `${rule} comment "lbctl ${fnv1a(rule)} fullnat ${s.name}"`);
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
