// Active-standby directors (`ha: vrrp`): keepalived's VRRP moves the VIP to whichever director is master; lbctl
// writes keepalived.conf (VRRP only: IPVS stays lbctl's) and runs IPVS connection sync so connections survive.
import type { Host, Topology } from '../topology/types.js';
import type { HostBuilder } from './builder.js';
import { sharedNetworkOf } from '../topology/checks.js';
import { generatedHeader } from './paths.js';

/**
 * VRRP advertisement interval (s; VRRPv3 counts in centiseconds): a backup takes over after three missed adverts plus
 * a skew of under one (RFC 5798's Master_Down_Interval), 0.6–0.8 s; at 0.3 s that would be just over 1 s.
 */
export const ADVERT_INT = 0.2;

/** Where keepalived reads its configuration (Debian's unit: `keepalived --dont-fork`, reload by SIGHUP). */
export const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';

/** One VRRP instance: a VIP, the directors that may hold it (first preferred) and the L2 network they share. */
export interface VrrpGroup {
  name: string;
  vip: string;
  /** Virtual router id: 1 + the group's index in topology order; also the IPVS sync id. */
  vrid: number;
  directors: string[];
  network: string;
}

/** The VRRP instances of the topology, one per VIP of `ha: vrrp` services (those without a shared network skipped). */
export function vrrpGroups(t: Topology): VrrpGroup[] {
  const byVip = new Map<string, Omit<VrrpGroup, 'vrid' | 'network'>>();
  for (const s of t.services) {
    if (s.ha !== 'vrrp' || s.vip === undefined) continue;
    const g = byVip.get(s.vip);
    if (g) g.directors = [...new Set([...g.directors, ...s.directors])];
    else byVip.set(s.vip, { name: s.name, vip: s.vip, directors: [...s.directors] });
  }
  return [...byVip.values()].flatMap((g, i) => {
    const hosts = g.directors.map((d) => t.hosts.get(d)).filter((h): h is Host => h !== undefined);
    const network = sharedNetworkOf(t, hosts, g.vip);
    return network ? [{ ...g, vrid: i + 1, network: network.name }] : [];
  });
}

/** A host's interface and first address on a network. */
function onNetwork(host: Host, network: string): { device: string; address: string } | undefined {
  const i = host.interfaces.find((x) => x.network === network);
  const address = i?.addresses[0]?.split('/')[0];
  return i && address ? { device: i.name, address } : undefined;
}

/** keepalived's vrrp_instance for one director of a group: all start BACKUP, priority decides, no preemption. */
function vrrpInstance(t: Topology, g: VrrpGroup, director: Host): string[] {
  const me = onNetwork(director, g.network);
  if (!me) return [];
  const peers = g.directors
    .filter((d) => d !== director.name)
    .flatMap((d) => {
      const peer = t.hosts.get(d);
      const at = peer && onNetwork(peer, g.network);
      return at ? [at.address] : [];
    });
  return [
    `vrrp_instance ${g.name} {`,
    '    state BACKUP',
    '    nopreempt',
    `    interface ${me.device}`,
    `    virtual_router_id ${g.vrid}`,
    `    priority ${150 - 10 * g.directors.indexOf(director.name)}`,
    `    advert_int ${ADVERT_INT}`,
    `    unicast_src_ip ${me.address}`,
    '    unicast_peer {',
    ...peers.map((p) => `        ${p}`),
    '    }',
    '    virtual_ipaddress {',
    `        ${g.vip}/32 dev ${me.device}`,
    '    }',
    '}',
  ];
}

/**
 * A VRRP director's share of its groups: the VIP as a floating address (keepalived's, not lbctl's), keepalived.conf
 * and its reload, and IPVS sync daemons both ways (master sends, backup receives) on the group's interface, so
 * whichever director is master the other holds its connections.
 */
export function addVrrpDirector(t: Topology, b: HostBuilder, director: Host): void {
  const groups = vrrpGroups(t).filter((g) => g.directors.includes(director.name));
  const first = groups[0];
  const sync = first && onNetwork(director, first.network);
  if (!first || !sync) return;
  for (const g of groups) {
    const at = onNetwork(director, g.network);
    if (at) b.floatingAddress({ device: at.device, cidr: `${g.vip}/32` });
  }
  for (const role of ['master', 'backup'] as const) b.syncDaemon({ role, interface: sync.device, syncId: first.vrid });
  const conf = [
    'global_defs {',
    `    router_id ${director.name}`,
    '    vrrp_version 3',
    '}',
    ...groups.flatMap((g) => vrrpInstance(t, g, director)),
  ];
  b.file({
    path: KEEPALIVED_CONF,
    mode: 0o644,
    reload: 'keepalived',
    check: 'keepalived',
    content: `${generatedHeader('#')}${conf.join('\n')}\n`,
  });
  b.reload({ name: 'keepalived', argv: ['systemctl', 'reload-or-restart', 'keepalived'] });
}
