// DNS servers of a lab's hosts with role "dns": dnsmasq in the host's namespace, bound to the host's anycast
// addresses (on lo once applied), answering whoami.lab.test with the host's own address (A) and name (TXT), so a
// client can tell which node of an anycast group answered.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  /** The addresses it listens on (UDP and TCP port 53). */
  addresses: string[];
  /** Its answer to WHOAMI (A or AAAA). */
  self: string;
}

/** What to start on one host. */
export interface DnsLaunch {
  host: LabHost;
  addresses: string[];
  self: string;
}

const dnsLog = (lab: string, host: string) => join(labDir(lab), host, 'dnsmasq.log');
const bare = (cidr: string) => cidr.split('/')[0] ?? cidr;
const single = (cidr: string) => cidr.endsWith(cidr.includes(':') ? '/128' : '/32');

/**
 * The DNS servers of the topology: hosts with role "dns", on their anycast addresses (single-address prefixes of
 * the groups they belong to), or on their own addresses when they are in none.
 */
export function dnsLaunches(t: Topology, hosts: LabHost[]): DnsLaunch[] {
  return hosts.flatMap((host) => {
    if (!t.hosts.get(host.name)?.roles.includes('dns')) return [];
    const own = host.interfaces.flatMap((i) => i.addresses.map(bare));
    const self = own.find((a) => !a.includes(':')) ?? own[0];
    if (self === undefined) return [];
    const anycast = t.anycast.filter((g) => g.nodes.includes(host.name) && single(g.prefix)).map((g) => bare(g.prefix));
    return [{ host, addresses: anycast.length > 0 ? [...new Set(anycast)] : own, self }];
  });
}

/** The dnsmasq command of one host: no /etc/hosts, no resolv.conf, no config file; the pid file in the lab dir. */
export function dnsCommand(lab: string, launch: DnsLaunch): string[] {
  const dir = join(labDir(lab), launch.host.name);
  return [
    'ip', 'netns', 'exec', launch.host.namespace,
    'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
    ...launch.addresses.map((a) => `--listen-address=${a}`),
    `--pid-file=${join(dir, 'dnsmasq.pid')}`, '--log-facility=-', '--log-queries',
    `--host-record=${WHOAMI},${launch.self}`,
    `--txt-record=${WHOAMI},${launch.host.name}`,
  ];
}

/** The address as /proc/net/udp writes it (IPv4 only: little-endian hex), for the readiness check. */
function procAddress(ip: string): string | null {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4) return null;
  return parts.reverse().map((p) => p.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** True when the process's namespace has UDP sockets on port 53 of every listen address (IPv6: any on port 53). */
async function listening(pid: number, addresses: string[]): Promise<boolean> {
  const udp = `${await readFile(`/proc/${pid}/net/udp`, 'utf8').catch(() => '')}${await readFile(`/proc/${pid}/net/udp6`, 'utf8').catch(() => '')}`;
  return addresses.every((a) => {
    const hex = procAddress(a);
    return hex === null ? udp.includes(':0035 ') : udp.includes(`${hex}:0035 `);
  });
}

/** Starts dnsmasq on a host (after its anycast address is on lo) in the background; then wait with dnsReady. */
export async function launchDns(lab: string, launch: DnsLaunch): Promise<LabDns> {
  const pid = await spawnDetached(dnsCommand(lab, launch), dnsLog(lab, launch.host.name));
  return { host: launch.host.name, pid, addresses: launch.addresses, self: launch.self };
}

/** Waits until a DNS server listens on all its addresses; throws with its log's tail when it does not. */
export async function dnsReady(lab: string, dns: LabDns): Promise<void> {
  if (await waitReady(dns.pid, () => listening(dns.pid, dns.addresses), 5000)) return;
  throw new Error(`dnsmasq for ${dns.host} on ${dns.addresses.join(', ')} did not start:\n${await logTail(dnsLog(lab, dns.host))}`);
}

/** Stops a recorded DNS server, only while its PID is still this lab's dnsmasq; true when it was running. */
export function stopDns(lab: string, dns: LabDns): Promise<boolean> {
  return stopVerified(dns.pid, `${labDir(lab)}/`, 'SIGTERM');
}
