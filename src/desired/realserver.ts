// What a real server needs for DR (VIP on lo, ARP silence) and TUN (ipip, VIP on tunl0, relaxed rp_filter).
import { sharedNetworks } from '../topology/checks.js';
import type { Host, ServerPlace, Service, Topology } from '../topology/types.js';
import { confKey, type HostBuilder } from './builder.js';
import { hostCidr } from '../topology/resolve.js';

/** ARP settings that keep a real server from answering or announcing the VIP it holds locally. */
function silenceArp(b: HostBuilder, devices: Iterable<string>): void {
  for (const dev of ['all', ...devices]) {
    b.sysctl(confKey('ipv4', dev, 'arp_ignore'), '1');
    b.sysctl(confKey('ipv4', dev, 'arp_announce'), '2');
  }
}

/** Adds one service's real-server-side objects to the state of the host it runs on (a real server's, or the sorry server's). */
export function addRealServerService(t: Topology, b: HostBuilder, host: Host, s: Service, rs: ServerPlace): void {
  if (s.vip === undefined || (s.method !== 'dr' && s.method !== 'tun')) return;
  const facing = new Set(
    s.directors.flatMap((d) => {
      const director = t.hosts.get(d);
      if (!director) return [];
      const nets = new Set(sharedNetworks(t, director, rs).map((n) => n.name));
      return host.interfaces.filter((i) => nets.has(i.network)).map((i) => i.name);
    }),
  );
  if (s.method === 'dr') {
    silenceArp(b, [...facing].sort());
    b.address({ device: 'lo', cidr: hostCidr(s.vip) });
    return;
  }
  b.module('ipip');
  b.link({ name: 'tunl0', kind: 'ipip', up: true, mtu: s.tunMtu });
  b.address({ device: 'tunl0', cidr: hostCidr(s.vip) });
  silenceArp(b, [...facing].sort());
  for (const dev of ['all', 'tunl0']) b.sysctl(confKey('ipv4', dev, 'rp_filter'), '0');
}
