// FRR for a lab's routing hosts: one instance per host, in the host's network namespace and in private mount and
// PID namespaces (`unshare --mount --pid --fork --mount-proc --kill-child`). The host's rendered config dir is
// bound onto /etc/frr and tmpfs hides /run and /var/tmp, so the machine's own /etc/frr and /run/frr are never
// read nor written; killing the recorded unshare kills every daemon of the instance (its PID namespace ends).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runner } from '../host/port.js';
import { ospfConfigOf } from '../desired/routing-config.js';
import { hasOspf6, ospfBlocks } from '../drivers/frr/ospf-common.js';
import { FRR_DIALECT } from '../drivers/frr/ospf-frr.js';
import { quaggaRefused } from '../drivers/frr/ospf-quagga.js';
import type { Host, Routing, Topology } from '../topology/types.js';
import { commandLine, logTail, spawnDetached, stopVerified, waitReady, privateInstance } from './daemon.js';
import { labDir } from './names.js';
import type { LabHost } from './plan.js';

/** Where Debian's frr package keeps its daemons. */
export const FRR_BIN = '/usr/lib/frr';

/** An FRR instance a lab started: `pid` is the unshare process outside its PID namespace. */
export interface LabFrr {
  host: string;
  pid: number;
  flavour: Routing['flavour'];
}

/** What the instance of one host runs: its config dir below the lab root, and the daemons besides zebra. */
export interface FrrLaunch {
  host: LabHost;
  flavour: Routing['flavour'];
  /** The rendered config dir below the host's lab root (…/etc/frr or …/etc/quagga). */
  configDir: string;
  /** Daemons started after zebra, e.g. ["ospfd"] (quagga style) or ["ospfd", "staticd"] (FRR). */
  daemons: string[];
  /** vtysh commands run once the daemons have read their files (see quaggaGaps); empty for most hosts. */
  vtysh: string[];
  /**
   * Router id given to zebra before the other daemons start ("-": none). FRR 8.4's ospf6d skips quagga's
   * `router-id X` under router ospf6 and takes zebra's; set later, it needs `clear ipv6 ospf6 process`, which was
   * seen to leave a neighbour Full without the restarted router's router LSA. So quagga-style hosts with OSPFv3
   * hand zebra their router id first.
   */
  zebraRouterId: string;
}

const READY = 'lbctl: FRR ready';
const frrLog = (lab: string, host: string) => join(labDir(lab), host, 'frr.log');

// Runs as PID 1 of the new PID namespace: $1 config dir, $2 "integrated" or "per-daemon", $3 zebra's router id or
// "-", then the daemons, then
// "--" and the vtysh commands to run once they are up. zebra first: a daemon that finds no zserv.api retries only
// after 10 s. Daemons stay in the foreground (their log is this script's output); `wait` keeps PID 1, and so the
// namespace, alive while any of them runs.
const SCRIPT = `set -eu
conf=$1 style=$2 rid=$3; shift 3
daemons=
while [ "$1" != -- ]; do daemons="$daemons $1"; shift; done
shift
chown -R frr:frr "$conf"
mount --bind "$conf" /etc/frr
mount -t tmpfs -o mode=0755 lbctl-frr /run
mount -t tmpfs -o mode=1777 lbctl-frr /var/tmp
mkdir -p /run/frr && chown frr:frr /run/frr
wait_sock() { i=0; until [ -S "$1" ]; do i=$((i+1)); [ $i -lt 500 ] || { echo "lbctl: $1 did not appear" >&2; exit 1; }; sleep 0.02; done; }
${FRR_BIN}/zebra -P 0 --log stdout &
wait_sock /run/frr/zserv.api
if [ "$rid" != - ]; then wait_sock /run/frr/zebra.vty; vtysh -c 'configure terminal' -c "router-id $rid"; fi
for d in $daemons; do ${FRR_BIN}/$d -P 0 --log stdout & done
for d in zebra $daemons; do wait_sock /run/frr/$d.vty; done
if [ "$style" = integrated ]; then vtysh -b; fi
if [ $# -gt 0 ]; then
  n=$#
  for c in "$@"; do set -- "$@" -c "$c"; done
  shift $n
  vtysh "$@"
fi
echo '${READY}'
wait
`;

/** The daemons FRR's `daemons` file enables (`ospfd=yes`), plus staticd, which FRR always starts. */
export function enabledDaemons(daemonsFile: string): string[] {
  const on = [...daemonsFile.matchAll(/^\s*([a-z0-9]+d)\s*=\s*"?yes"?\s*$/gm)].map((m) => m[1] ?? '');
  return [...new Set([...on.filter((d) => d !== 'zebra' && d !== 'staticd' && d !== 'watchfrr'), 'staticd'])];
}

/**
 * What a quagga-flavour host's instance needs beyond its files: genuine quagga has no LSA throttle, LSA min-arrival,
 * retransmit interval under 3 s or maximum-paths, so its files carry those as comments, and FRR (which runs quagga
 * files here: Debian 12 has no quagga) would fall back to its own defaults: 5 s, 1 s, 5 s. With R1 of seed 004 at a
 * 1 s min-arrival, a node's router LSA that arrives within a second of its previous one (a link cut soon after it
 * came back) is dropped and waits for its retransmission: link-down failover 1.4 s instead of tens of ms, more under
 * load. So the lab hands FRR the OSPF blocks as the frr flavour writes them, through vtysh, when quagga refused any,
 * and whenever the host has OSPFv3 (FRR 8.4's ospf6d takes quagga's `interface IF area A` only as deprecated).
 */
function quaggaGaps(t: Topology, host: Host): string[] {
  const cfg = ospfConfigOf(t, host);
  if (cfg === undefined || (quaggaRefused(cfg).length === 0 && !hasOspf6(cfg))) return [];
  return [
    'configure terminal',
    ...ospfBlocks(cfg, FRR_DIALECT, ['ospfd', 'ospf6d'])
      .filter((line) => line !== '!')
      .map((line) => line.trim()),
  ];
}

/** The daemons a quagga-flavour host runs besides zebra: ospfd, and ospf6d when it has IPv6 prefixes. */
function quaggaDaemons(t: Topology, host: Host): string[] {
  const cfg = ospfConfigOf(t, host);
  return cfg !== undefined && hasOspf6(cfg) ? ['ospfd', 'ospf6d'] : ['ospfd'];
}

/** What to start for each routing host of the topology (its files must have been applied below the lab root). */
export async function frrLaunches(t: Topology, lab: string, hosts: LabHost[]): Promise<FrrLaunch[]> {
  const out: FrrLaunch[] = [];
  for (const host of hosts) {
    const spec = t.hosts.get(host.name);
    const routing = spec?.routing;
    if (!spec || !routing) continue;
    const configDir = join(labDir(lab), host.name, routing.configDir);
    const daemons =
      routing.flavour === 'frr'
        ? enabledDaemons(await readFile(join(configDir, 'daemons'), 'utf8').catch(() => 'ospfd=yes'))
        : quaggaDaemons(t, spec);
    const quagga = routing.flavour === 'quagga';
    const zebraRouterId = quagga && daemons.includes('ospf6d') ? routing.routerId : '-';
    out.push({ host, flavour: routing.flavour, configDir, daemons, vtysh: quagga ? quaggaGaps(t, spec) : [], zebraRouterId });
  }
  return out;
}

/** The command that runs one host's instance (the config dir in it marks the process as this lab's). */
export function frrCommand(launch: FrrLaunch): string[] {
  const style = launch.flavour === 'frr' ? 'integrated' : 'per-daemon';
  return [
    ...privateInstance(launch.host.namespace),
    'sh',
    '-c',
    SCRIPT,
    'lbctl-frr',
    launch.configDir,
    style,
    launch.zebraRouterId,
    ...launch.daemons,
    '--',
    ...launch.vtysh,
  ];
}

/** Starts one host's FRR instance in the background (record it at once; then wait with frrReady). */
export async function launchFrr(lab: string, launch: FrrLaunch): Promise<LabFrr> {
  const pid = await spawnDetached(frrCommand(launch), frrLog(lab, launch.host.name));
  return { host: launch.host.name, pid, flavour: launch.flavour };
}

/** Waits until an instance's daemons run with their config loaded; throws with its log's tail when it fails. */
export async function frrReady(lab: string, frr: LabFrr): Promise<void> {
  const log = frrLog(lab, frr.host);
  const ready = async () => (await readFile(log, 'utf8').catch(() => '')).includes(READY);
  if (await waitReady(frr.pid, ready, 15_000)) return;
  throw new Error(`FRR for ${frr.host} did not start (log ${log}):\n${await logTail(log)}`);
}

/**
 * Stops an instance by killing its unshare (only while that PID is still this lab's): unshare blocks SIGTERM,
 * so SIGKILL, and --kill-child then kills PID 1 of the instance and with it every daemon. True when it ran.
 */
export function stopFrr(lab: string, frr: LabFrr): Promise<boolean> {
  return stopVerified(frr.pid, `${labDir(lab)}/`, 'SIGKILL');
}

/** The instance's PID 1 (the script), seen from outside; null when the instance is gone. */
export async function frrInit(frr: LabFrr): Promise<number | null> {
  if (!(await commandLine(frr.pid))?.includes(' lbctl-frr ')) return null;
  const children = (await readFile(`/proc/${frr.pid}/task/${frr.pid}/children`, 'utf8').catch(() => '')).trim();
  const first = Number(children.split(' ')[0]);
  return Number.isInteger(first) && first > 0 ? first : null;
}

/** The instance's daemons by name (zebra, ospfd, …) with their PIDs outside its PID namespace. */
export async function frrDaemons(frr: LabFrr): Promise<Map<string, number>> {
  const init = await frrInit(frr);
  const out = new Map<string, number>();
  const visit = async (pid: number) => {
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (pid !== init && comm !== '' && (await commandLine(pid))?.startsWith(`${FRR_BIN}/`)) out.set(comm, pid);
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim();
    for (const c of children === '' ? [] : children.split(' ')) await visit(Number(c));
  };
  if (init !== null) await visit(init);
  return out;
}

/** The argv prefix that runs a command inside an instance's mount, PID and network namespaces (where vtysh works). */
export async function inFrr(frr: LabFrr): Promise<string[] | null> {
  const init = await frrInit(frr);
  return init === null ? null : ['nsenter', '-t', String(init), '-m', '-p', '-n', '--'];
}

/** Runs vtysh commands against a host's instance: stdout, or an Error saying why not. */
export async function labVtysh(frr: LabFrr, commands: string[], runner: Runner): Promise<string> {
  const prefix = await inFrr(frr);
  if (prefix === null) throw new Error(`FRR of ${frr.host} (pid ${frr.pid}) is not running`);
  const r = await runner.run([...prefix, 'vtysh', ...commands.flatMap((c) => ['-c', c])]);
  if (r.exitCode !== 0) throw new Error(`vtysh on ${frr.host} failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}
