// The agent's hands on the kernel, through the Host port: the smallest ipvsadm edit per decision, the anycast
// prefix on lo (ospfd announces what lo holds, so removing it withdraws both), and the reads made at start.
import { addressCommand, addressFlushCommand, ipArgv } from '../drivers/iproute/argv.js';
import { parseProcIpvs } from '../drivers/ipvs/parse-proc.js';
import { parseIpvsadmSave } from '../drivers/ipvs/parse-save.js';
import { ParseError } from '../drivers/parse-error.js';
import { destinationRule, IPVSADM_RESTORE_ARGV, ipvsadmArgv, restoreText, type IpvsRule } from '../drivers/ipvs/rules.js';
import { destinationKey, serviceKey } from '../model/keys.js';
import type { Edit, KernelWeights } from '../health/engine.js';
import { WALL_CLOCK, type PollClock } from '../host/poll-clock.js';
import { runChecked, type Feed, type Host, type Runner } from '../host/port.js';

/** What each destination edit is to ipvsadm. */
const RULE_ACTION = { weight: 'update', add: 'create', remove: 'delete' } as const;

/** An edit of a destination (not of an anycast prefix). */
type IpvsEdit = Extract<Edit, { destination: unknown }>;

const isIpvsEdit = (edit: Edit): edit is IpvsEdit => 'destination' in edit;

/** The ipvsadm rule of an IPVS edit. */
function ipvsRule(edit: IpvsEdit): IpvsRule {
  return destinationRule(RULE_ACTION[edit.kind], edit.service, edit.destination);
}

/** The argv of one edit, written by the tools' own drivers. */
export function editArgv(edit: Edit): string[] {
  switch (edit.kind) {
    case 'weight':
    case 'add':
    case 'remove':
      return ipvsadmArgv(ipvsRule(edit));
    case 'announce':
      return ipArgv(addressCommand('replace', { device: 'lo', cidr: edit.prefix }));
    case 'withdraw':
      // Idempotent: a prefix already gone (an agent restarted mid-withdrawal, an operator's hand) is withdrawn.
      return ipArgv(addressFlushCommand({ device: 'lo', cidr: edit.prefix }));
  }
}

/** Where the kernel shows its IPVS table to a reading process (of the reader's network namespace). */
const PROC_IPVS = '/proc/net/ip_vs';
/** How long a fed edit may take to show in PROC_IPVS before it is made again as a command of its own. */
const FED_WITHIN_MS = 250;
/** How often PROC_IPVS is read meanwhile. */
const FED_POLL_MS = 2;

/**
 * What a table says of an IPVS edit: done (the destination at its weight, or gone), not yet, or nothing at all when it
 * lacks the edit's service. The agent never removes a service, so such a table is one the kernel cut short: Linux 6.1
 * (Debian 12) resumes each 4 KiB read of /proc/net/ip_vs at a count of this namespace's services while it walks every
 * namespace's, and skips whole services where another namespace holds some (containers, another director's lab).
 */
function showing(weights: KernelWeights, edit: IpvsEdit): 'done' | 'not yet' | 'unknown' {
  const service = weights.get(serviceKey(edit.service));
  if (service === undefined) return 'unknown';
  const weight = service.get(destinationKey(edit.destination));
  return (edit.kind === 'remove' ? weight === undefined : weight === edit.destination.weight) ? 'done' : 'not yet';
}

/**
 * Applies the agent's edits in order. Where the host keeps a feed, an IPVS edit is a line to one long-lived
 * `ipvsadm -R`, confirmed in /proc/net/ip_vs (no process started: milliseconds, where a process each costs tens of
 * them, and far more on a loaded or emulated machine), or by `ipvsadm-save -n` where the kernel cut that file short;
 * an edit not confirmed in time, an anycast edit, and every edit on other hosts run as a command each, whose failure
 * (CommandError) stops the rest.
 */
export class KernelEditor {
  private feed: Feed | undefined;

  constructor(
    private readonly host: Pick<Host, 'run' | 'read' | 'feed'>,
    private readonly clock: PollClock = WALL_CLOCK,
  ) {}

  /** Starts the feed ahead of the first edit (where the host keeps one): starting a process is what edits avoid. */
  start(): void {
    if (this.host.feed !== undefined && !this.feed?.alive) this.feed = this.host.feed(IPVSADM_RESTORE_ARGV);
  }

  /** Applies `edits` in order; throws CommandError on the first one the kernel refused. */
  async apply(edits: readonly Edit[]): Promise<void> {
    for (const edit of edits) if (!(await this.fed(edit))) await runChecked(this.host, editArgv(edit));
  }

  /** Ends the feed, if one runs. */
  async close(): Promise<void> {
    await this.feed?.close();
    this.feed = undefined;
  }

  /**
   * Feeds an IPVS edit and waits until the kernel shows it; false when it could not be fed or did not show in time.
   * A table it cannot read (ParseError) is no proof either way: the edit is made again as a command.
   */
  private async fed(edit: Edit): Promise<boolean> {
    if (!isIpvsEdit(edit)) return false;
    this.start();
    if (this.feed === undefined) return false;
    this.feed.write(restoreText([ipvsRule(edit)]));
    const deadline = this.clock.now() + FED_WITHIN_MS;
    return this.shown(edit, deadline).catch((err: unknown) => {
      if (err instanceof ParseError) return false;
      throw err;
    });
  }

  /**
   * Reads the table until it shows `edit` (true) or the deadline passes (false): PROC_IPVS, or once that lacks the
   * edit's service, `ipvsadm-save -n` (netlink, whole on every kernel; a process per read, so only then).
   */
  private async shown(edit: IpvsEdit, deadline: number): Promise<boolean> {
    let netlink = false;
    for (;;) {
      const weights = netlink
        ? await readKernelWeights(this.host)
        : await this.host.read(PROC_IPVS).then((f) => (f === null ? null : parseProcIpvs(f.content)));
      if (weights === null) return false;
      const seen = showing(weights, edit);
      if (seen === 'done') return true;
      if (seen === 'unknown') {
        if (netlink) return false;
        netlink = true;
        continue;
      }
      if (this.clock.now() >= deadline) return false;
      await this.clock.sleep(FED_POLL_MS);
    }
  }
}

/** Every destination's weight in the kernel now (ipvsadm-save -n), by service key and destination key. */
export async function readKernelWeights(runner: Runner): Promise<KernelWeights> {
  const r = await runner.run(['ipvsadm-save', '-n']);
  const out: KernelWeights = new Map();
  if (r.exitCode !== 0) return out;
  for (const s of parseIpvsadmSave(r.stdout)) out.set(serviceKey(s.id), new Map(s.destinations.map((d) => [destinationKey(d), d.weight])));
  return out;
}

/** The addresses on lo now ("6.6.6.6/32"), to know which anycast prefixes this node announces. */
export async function loopbackAddresses(runner: Runner): Promise<Set<string>> {
  const r = await runner.run(['ip', '-j', 'addr', 'show', 'dev', 'lo']);
  if (r.exitCode !== 0) return new Set();
  const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local: string; prefixlen: number }[] }[];
  return new Set(links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`)));
}

/**
 * Routers other than `routerId` whose router LSA carries `prefix` as a stub network, from the OSPF database
 * (`show ip ospf database router`: one block per LSA, "Advertising Router: X" and "(Link ID) Net: A" — "Net Address: A"
 * in older FRR — then "(Link Data) Network Mask: M").
 */
export function countAnnouncers(database: string, prefix: string, routerId: string): number {
  const [address] = prefix.split('/');
  const routers = new Set<string>();
  for (const block of database.split(/\n\s*LS age:/)) {
    const router = /Advertising Router: (\S+)/.exec(block)?.[1];
    if (router === undefined || router === routerId) continue;
    if (
      new RegExp(
        `\\(Link ID\\) Net(?: Address)?: ${address!.replaceAll('.', '\\.')}\\s*\\n\\s*\\(Link Data\\) Network Mask: 255\\.255\\.255\\.255`,
      ).test(block)
    )
      routers.add(router);
  }
  return routers.size;
}

/**
 * Other announcers of `prefix` now, asked of the local FRR through `vtysh` (its argv: ["vtysh"], or a prefix that
 * enters a lab's FRR instance); unknown (vtysh failing) counts as none, so nothing is withdrawn.
 */
export async function otherAnnouncers(runner: Runner, vtysh: readonly string[], prefix: string, routerId: string): Promise<number> {
  const r = await runner.run([...vtysh, '-c', 'show ip ospf database router']);
  return r.exitCode === 0 ? countAnnouncers(r.stdout, prefix, routerId) : 0;
}
