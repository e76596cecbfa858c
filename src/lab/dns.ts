// DNS servers of a lab's hosts with role "dns", of the servers of its DNS zones and of the real servers of its UDP
// services: dnsmasq in the host's namespace, bound to the host's anycast addresses (on lo once applied) or its own
// and the DR/TUN VIPs it serves, answering whoami.lab.test with the host's own address (A) and name (TXT), so a
// client can tell which node of an anycast group or which real server answered, and, on a zone's servers, the
// A/AAAA records of the zone's records file as lbctl apply wrote it below the host's lab root.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PATHS } from '../desired/paths.js';
import { anycastCheckAddress } from '../health/watch.js';
import type { Topology } from '../topology/types.js';
import { logTail, spawnDetached, stopVerified, waitReady } from './daemon.js';
import { labDir } from './names.js';
import type { LabHost } from './plan.js';

/** The name every lab DNS server answers with its own identity. */
export const WHOAMI = 'whoami.lab.test';

/** A DNS server a lab started. */
export interface LabDns {
  host: string;
  pid: number;
  /** The addresses it listens on (UDP and TCP, on `port`). */
  addresses: string[];
  /** Its port (absent: 53, in records written before real servers of UDP services got one). */
  port?: number;
  /** Its answer to WHOAMI (A or AAAA). */
  self: string;
  /** The zones whose records it serves (absent in records of labs without zones). */
  zones?: string[];
}

/** What to start on one host. */
export interface DnsLaunch {
  host: LabHost;
  addresses: string[];
  port: number;
  self: string;
  /** Zones the host serves: their records files are read from its lab root when dnsmasq starts. */
  zones: string[];
}

/** One address record of a zone's records file, with its absolute name (no trailing dot). */
export interface ZoneRecord {
  name: string;
  ttl: number;
  address: string;
}

/** The port of the lab's DNS servers proper (role dns, zone servers). */
export const DNS_PORT = 53;
/** The files of a host's dnsmasq on one port: its log and pid file (port 53's keep the names they always had). */
const dnsFile = (lab: string, host: string, port: number | undefined, ext: 'log' | 'pid') =>
  join(labDir(lab), host, `dnsmasq${port === undefined || port === DNS_PORT ? '' : `-${port}`}.${ext}`);
/** The address of a prefix ("6.6.6.6/32" → "6.6.6.6"). */
export const bare = (cidr: string) => cidr.split('/')[0] ?? cidr;
/** True for a single-address prefix (/32, /128): one a DNS server can listen on. */
export const single = (cidr: string) => cidr.endsWith(cidr.includes(':') ? '/128' : '/32');

/** The VIPs of the DR/TUN UDP services the host is a real server of on `port`: those packets arrive addressed to the VIP. */
function directVips(t: Topology, host: string, port: number): string[] {
  return t.services
    .filter((s) => s.id.protocol === 'udp' && s.vip !== undefined && (s.method === 'dr' || s.method === 'tun'))
    .filter((s) => s.realServers.some((rs) => rs.host === host && rs.port === port))
    .map((s) => s.vip!);
}

/**
 * The DNS servers of the topology: on port 53, hosts with role "dns" and the servers of its zones, on their anycast
 * addresses (single-address prefixes of the groups they belong to), or on their own addresses when they are in
 * none; on each UDP port a host is a real server on, its own addresses and the DR/TUN VIPs of those services.
 */
export function dnsLaunches(t: Topology, hosts: LabHost[]): DnsLaunch[] {
  return hosts.flatMap((host) => {
    const own = host.interfaces.flatMap((i) => i.addresses.map(bare));
    const self = own.find((a) => !a.includes(':')) ?? own[0];
    if (self === undefined) return [];
    const launches = new Map<number, DnsLaunch>();
    const zones = t.zones.filter((z) => z.servers.includes(host.name)).map((z) => z.name);
    if (t.hosts.get(host.name)?.roles.includes('dns') || zones.length > 0) {
      const groups = t.anycast.filter((g) => g.nodes.includes(host.name) && single(g.prefix));
      const anycast = groups.map((g) => bare(g.prefix));
      // The agent checks a node on its own address (the prefix may be withdrawn): the server answers there too.
      const checked = groups.flatMap((g) => anycastCheckAddress(t, g, host.name) ?? []).filter((a) => own.includes(a));
      launches.set(DNS_PORT, { host, addresses: anycast.length > 0 ? [...anycast, ...checked] : own, port: DNS_PORT, self, zones });
    }
    for (const port of host.dnsPorts) {
      const launch = launches.get(port) ?? { host, addresses: [], port, self, zones: [] };
      launch.addresses = [...launch.addresses, ...own, ...directVips(t, host.name, port)];
      launches.set(port, launch);
    }
    return [...launches.values()].map((l) => ({ ...l, addresses: [...new Set(l.addresses)] }));
  });
}

/** Where lbctl apply wrote a zone's records file for a host of the lab. */
export const zoneFile = (lab: string, host: string, zone: string) => join(labDir(lab), host, PATHS.zones, `${zone}.records`);

/** A record's owner name made absolute (no trailing dot) against its origin: `@` is the origin itself. */
export function absoluteName(owner: string, origin: string): string {
  if (owner === '@') return origin.replace(/\.$/, '');
  return owner.endsWith('.') ? owner.slice(0, -1) : `${owner}.${origin.replace(/\.$/, '')}`;
}

/**
 * The A/AAAA records of a records file as lbctl writes it (`$ORIGIN zone.`, then `name ttl IN A|AAAA address`);
 * comments, blank lines and other record types are skipped. Names are made absolute against the origin.
 */
export function zoneRecords(text: string, zone: string): ZoneRecord[] {
  let origin = zone.replace(/\.$/, '');
  const out: ZoneRecord[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    const directive = /^\$ORIGIN\s+(\S+)/i.exec(line);
    if (directive) origin = (directive[1] ?? origin).replace(/\.$/, '');
    const m = /^(\S+)\s+(\d+)\s+IN\s+(A|AAAA)\s+(\S+)$/i.exec(line);
    if (!m) continue;
    const [, owner = '', ttl = '0', , address = ''] = m;
    out.push({ name: absoluteName(owner, origin), ttl: Number(ttl), address });
  }
  return out;
}

/**
 * The dnsmasq command of one host: no /etc/hosts, no resolv.conf, no config file; the pid file in the lab dir.
 * A served zone is local (a name it lacks is NXDOMAIN, not forwarded) and each record is a --host-record.
 */
export function dnsCommand(lab: string, launch: DnsLaunch, records: ZoneRecord[] = []): string[] {
  return [
    'ip',
    'netns',
    'exec',
    launch.host.namespace,
    'dnsmasq',
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--bind-interfaces',
    ...launch.addresses.map((a) => `--listen-address=${a}`),
    ...(launch.port === DNS_PORT ? [] : [`--port=${launch.port}`]),
    `--pid-file=${dnsFile(lab, launch.host.name, launch.port, 'pid')}`,
    '--log-facility=-',
    '--log-queries',
    `--host-record=${WHOAMI},${launch.self}`,
    `--txt-record=${WHOAMI},${launch.host.name}`,
    ...launch.zones.map((z) => `--local=/${z}/`),
    ...records.map((r) => `--host-record=${r.name},${r.address},${r.ttl}`),
  ];
}

/** The records of the zones a host serves, read from the files apply wrote below its lab root. */
async function servedRecords(lab: string, launch: DnsLaunch): Promise<ZoneRecord[]> {
  const out: ZoneRecord[] = [];
  for (const zone of launch.zones) {
    const file = zoneFile(lab, launch.host.name, zone);
    const text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new Error(`${launch.host.name} serves zone ${zone}, but its records file cannot be read: ${err.message}`);
    });
    out.push(...zoneRecords(text, zone));
  }
  return out;
}

/** The address as /proc/net/udp writes it (IPv4 only: little-endian hex), for the readiness check. */
function procAddress(ip: string): string | null {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4) return null;
  return parts
    .reverse()
    .map((p) => p.toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}

/** True when the process's namespace has UDP sockets on `port` of every listen address (IPv6: any on that port). */
async function listening(pid: number, addresses: string[], port: number): Promise<boolean> {
  const udp = `${await readFile(`/proc/${pid}/net/udp`, 'utf8').catch(() => '')}${await readFile(`/proc/${pid}/net/udp6`, 'utf8').catch(() => '')}`;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return addresses.every((a) => {
    const hex = procAddress(a);
    return hex === null ? udp.includes(`:${hexPort} `) : udp.includes(`${hex}:${hexPort} `);
  });
}

/** Starts dnsmasq on a host (after apply: its anycast address on lo, its zones' records files) in the background; then wait with dnsReady. */
export async function launchDns(lab: string, launch: DnsLaunch): Promise<LabDns> {
  const records = await servedRecords(lab, launch);
  const pid = await spawnDetached(dnsCommand(lab, launch, records), dnsFile(lab, launch.host.name, launch.port, 'log'));
  return {
    host: launch.host.name,
    pid,
    addresses: launch.addresses,
    port: launch.port,
    self: launch.self,
    ...(launch.zones.length > 0 ? { zones: launch.zones } : {}),
  };
}

/** Waits until a DNS server listens on all its addresses; throws with its log's tail when it does not. */
export async function dnsReady(lab: string, dns: LabDns): Promise<void> {
  if (await waitReady(dns.pid, () => listening(dns.pid, dns.addresses, dns.port ?? DNS_PORT), 5000)) return;
  throw new Error(
    `dnsmasq for ${dns.host} on ${dns.addresses.join(', ')} port ${dns.port ?? DNS_PORT} did not start:\n${await logTail(dnsFile(lab, dns.host, dns.port, 'log'))}`,
  );
}

/** Stops a recorded DNS server, only while its PID is still this lab's dnsmasq; true when it was running. */
export function stopDns(lab: string, dns: LabDns): Promise<boolean> {
  return stopVerified(dns.pid, `${labDir(lab)}/`, 'SIGTERM');
}
