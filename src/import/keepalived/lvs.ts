// keepalived's LVS configuration → the IPVS services its health-checker child puts in the kernel once every real
// server is up: keyword handlers of keepalived/check/check_parser.c, defaults and checks of check_data.c
// (alloc_vs, alloc_rs, validate_check_config) and rules of ipvswrapper.c (ipvs_set_srule, ipvs_cmd, group ranges).
import { canonicalIp, formatIp, maskLength, parseIp } from '../../net/ip.js';
import { destinationKey, endpoint, serviceKey } from '../../model/keys.js';
import type { RawCheck } from '../../topology/health.js';
import type { Family, IpvsDestination, IpvsForward, IpvsService, IpvsServiceId, Persistence, Protocol } from '../../model/state.js';
import type { ImportNote, ImportedPool, ImportedService, InterfaceHint, NoteKind, SourceAt } from '../report.js';
import { checkOf, importableChecker, type Inherited } from './checkers.js';
import {
  CHECK_TIMING,
  CHECKER_REASON,
  CHECKERS,
  INHERITED_TIMING,
  LVS_IN_OTHER_BLOCKS,
  RS_NOT_IMPORTED,
  SYNC_IMPORTED,
  TOP_NOT_IMPORTED,
  VRRP_INSTANCE_NOTES,
  VRRP_OTHER,
  VS_NOT_IMPORTED,
} from './keywords.js';
import { arg, rest, type Statement } from './syntax.js';

/** lvs_schedulers[] of check_parser.c. */
const SCHEDULERS = new Set(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos']);
/** IPVS_DEF_SCHED. */
const DEFAULT_SCHEDULER = 'wlc';
/** IPVS_SVC_PERSISTENT_TIMEOUT: a bare persistence_timeout, and what a port-0 service gets. */
const DEFAULT_PERSISTENCE = 360;
/** LVS_MAX_TIMEOUT (31 days). */
const MAX_PERSISTENCE = 86400 * 31;
/** IPVS_WEIGHT_MAX. */
const MAX_WEIGHT = 2 ** 31 - 1;
/** Most services one group range may expand to before the importer refuses it. */
const MAX_RANGE = 4096;

const FORWARDS: Record<string, IpvsForward> = { NAT: 'masq', DR: 'gate', TUN: 'ipip' };
const PROTOCOLS: Record<string, Protocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** A forwarding method as lb_kind/lvs_method sets it. */
interface Forwarding {
  forward: IpvsForward;
  tunnel?: string;
}

/** A real server as parsed, before it inherits from its virtual server. */
interface RealServer {
  address: string;
  port: number;
  family: Family;
  forwarding?: Forwarding;
  weight?: number;
  upper: number;
  lower: number;
  /** Its first checker lbctl can express, as a topology check (probe port explicit). */
  check?: RawCheck;
  inhibit?: boolean;
  at: SourceAt;
}

/** One entry of a virtual_server_group: an address range with a port, or a firewall mark. */
type GroupEntry =
  | { kind: 'range'; first: string; count: number; port: number; family: Family; at: SourceAt }
  | { kind: 'fwmark'; mark: number; family?: Family; at: SourceAt };

/** A virtual_server_group, and whether a virtual server used it. */
interface Group {
  entries: GroupEntry[];
  at: SourceAt;
  used: boolean;
}

/** What a virtual_server block sets, in keyword order. */
interface VirtualServer {
  target:
    { kind: 'address'; address: string; port: number; family: Family } | { kind: 'fwmark'; mark: number } | { kind: 'group'; name: string };
  family?: Family;
  scheduler?: string;
  /** Scheduler flag bits 1-3 (IP_VS_SVC_F_SCHED1..3): what sh-fallback/sh-port, mh-* and flag-N set. */
  flagBits: Set<1 | 2 | 3>;
  onePacket: boolean;
  forwarding?: Forwarding;
  persistence?: number;
  granularity?: string;
  protocol?: Protocol;
  weight: number;
  realServers: RealServer[];
  inhibit: boolean;
  sorry?: { address: string; port: number };
  quorum?: number;
  hysteresis?: number;
  /** delay_loop (s): what misc_timeout defaults to. */
  delayLoop: number;
  at: SourceAt;
}

/** Collects notes against the statement they are about. */
class Notes {
  readonly list: ImportNote[] = [];

  add(kind: NoteKind, s: Statement, message: string): void {
    const at: SourceAt = s.end === undefined ? s.keyword.at : { ...s.keyword.at, endLine: s.end.line };
    this.list.push({ kind, at, keyword: s.keyword.text, message });
  }
}

/** An unsigned decimal within [min, max], as read_unsigned_strvec accepts it; undefined otherwise. */
function unsigned(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** An address as inet_stosockaddr reads it (IPv6 may be in brackets); null when it is none. */
function address(text: string): { address: string; family: Family } | null {
  const canonical = canonicalIp(text.replace(/^\[(.*)\]$/, '$1'));
  return canonical === null ? null : { address: canonical, family: canonical.includes(':') ? 'inet6' : 'inet' };
}

/** A port argument: absent or all zeros is port 0 (keepalived 2.0.7 on), else 1-65535. */
function port(text: string | undefined): number | undefined {
  if (text === undefined || /^0+$/.test(text)) return 0;
  return unsigned(text, 1, 65535);
}

/** lb_kind/lvs_method NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum] (svr_forwarding_handler); undefined when keepalived rejects it. */
function forwarding(s: Statement, notes: Notes): Forwarding | undefined {
  const forward = FORWARDS[arg(s, 0) ?? ''];
  if (forward === undefined) {
    notes.add('adjusted', s, `unknown forwarding method "${arg(s, 0) ?? ''}": keepalived ignores the line (NAT, DR or TUN)`);
    return undefined;
  }
  const typeAt = s.args.findIndex((w) => w.text === 'type');
  const tunnel = typeAt < 0 ? undefined : arg(s, typeAt + 1);
  if (tunnel !== undefined && !['ipip', 'gue', 'gre'].includes(tunnel)) {
    notes.add('adjusted', s, `unknown tunnel type "${tunnel}": keepalived ignores the line`);
    return undefined;
  }
  if (tunnel === 'gue' || tunnel === 'gre')
    notes.add('not-imported', s, `${tunnel} tunnels: lbctl models ipip tunnels only, so the real servers are imported as ipip`);
  return tunnel === undefined ? { forward } : { forward, tunnel };
}

/** The inheritable keys a virtual_server or real_server block sets (wherever in the block: keepalived inherits at the end). */
function timingOf(block: readonly Statement[] | undefined, from: string): Inherited {
  const timing: Inherited = new Map();
  for (const c of block ?? [])
    if (INHERITED_TIMING.includes(c.keyword.text) || c.keyword.text === 'virtualhost')
      timing.set(c.keyword.text, { value: c.args.map((w) => w.text).join(' '), from: `the ${from}` });
  return timing;
}

/** `inhibit_on_failure [true|false]` (a bare keyword sets it). */
const inhibitOf = (s: Statement): boolean => !['false', 'no', 'off'].includes(arg(s, 0) ?? '');

/** The note for a checker lbctl has no kind for: it and its timing, its own keys first, then what it inherits. */
function checkerNote(s: Statement, inherited: Inherited, notes: Notes): void {
  const timing = new Map<string, string>();
  for (const [k, v] of inherited) if (INHERITED_TIMING.includes(k)) timing.set(k, `${v.value} from ${v.from}`);
  for (const c of s.block ?? []) {
    const key = CHECK_TIMING.get(c.keyword.text);
    if (key !== undefined) timing.set(key, c.args.map((w) => w.text).join(' '));
  }
  const text = [...timing].map(([k, v]) => `${k} ${v}`);
  notes.add('not-imported', s, `${CHECKER_REASON}${text.length > 0 ? ` (${text.join(', ')})` : ''}`);
}

/** A real_server block; `inherited` is the timing its checkers get from the virtual server. */
function realServer(s: Statement, vs: VirtualServer, inherited: Inherited, notes: Notes): RealServer | null {
  const a = address(arg(s, 0) ?? '');
  const p = port(arg(s, 1));
  if (a === null || p === undefined) {
    notes.add('adjusted', s, `"${s.args.map((w) => w.text).join(' ')}" is not an address and port: keepalived skips this real server`);
    return null;
  }
  // alloc_rs copies the virtual server's method as set so far; the rest is inherited at the end.
  const rs: RealServer = { ...a, port: p, upper: 0, lower: 0, at: s.keyword.at };
  if (vs.forwarding !== undefined) rs.forwarding = vs.forwarding;
  const timing = new Map([...inherited, ...timingOf(s.block, 'real_server')]);
  for (const c of s.block ?? []) {
    const k = c.keyword.text;
    if (k === 'weight') {
      const w = unsigned(arg(c, 0), 0, MAX_WEIGHT);
      if (w === undefined) notes.add('adjusted', c, `weight "${arg(c, 0) ?? ''}" is outside 0-${MAX_WEIGHT}: keepalived ignores it`);
      else rs.weight = w;
    } else if (k === 'lvs_method') {
      const f = forwarding(c, notes);
      if (f !== undefined) rs.forwarding = f;
    } else if (k === 'uthreshold' || k === 'lthreshold') {
      const t = unsigned(arg(c, 0), 0, 2 ** 32 - 1);
      if (t === undefined) notes.add('adjusted', c, `"${arg(c, 0) ?? ''}" is not a threshold: keepalived ignores it`);
      else if (k === 'uthreshold') rs.upper = t;
      else rs.lower = t;
    } else if (importableChecker(k)) {
      const check = checkOf(c, timing, { address: rs.address, port: p, vsDelayLoop: vs.delayLoop }, (kind, at, message) =>
        notes.add(kind, at, message),
      );
      if (check !== undefined && rs.check !== undefined)
        notes.add(
          'not-imported',
          c,
          'lbctl runs one check per real server (the first above); keepalived takes a server out when any of its checkers fails',
        );
      else if (check !== undefined) rs.check = check;
    } else if (CHECKERS.has(k)) checkerNote(c, timing, notes);
    else if (k === 'inhibit_on_failure') rs.inhibit = inhibitOf(c);
    else if ((INHERITED_TIMING.includes(k) && k !== 'warmup') || k === 'virtualhost') continue;
    else if (RS_NOT_IMPORTED.has(k)) notes.add('not-imported', c, RS_NOT_IMPORTED.get(k) ?? '');
    else notes.add('adjusted', c, 'not a real_server keyword: keepalived reports it and ignores it');
  }
  return rs;
}

/** lbflags_handler: ops, flag-N, and the sh-/mh- flags, which count only when lb_algo sh/mh came before them. */
function schedulerFlag(s: Statement, vs: VirtualServer, notes: Notes): void {
  const k = s.keyword.text;
  const generic = /^flag-([123])$/.exec(k);
  if (k === 'ops') vs.onePacket = true;
  else if (generic !== null) vs.flagBits.add(Number(generic[1]) as 1 | 2 | 3);
  else {
    const [owner, flag] = k.split('-');
    if (k !== 'hashed' && vs.scheduler === owner) vs.flagBits.add(flag === 'fallback' ? 1 : 2);
    else
      notes.add(
        'adjusted',
        s,
        k === 'hashed' ? 'keepalived ignores "hashed"' : `keepalived applies ${k} only after "lb_algo ${owner}": ignored here`,
      );
  }
}

/** persistence_granularity: an IPv4 netmask (any, as keepalived does not insist on a solid one) or an IPv6 prefix length. */
function granularity(s: Statement, vs: VirtualServer, notes: Notes): void {
  const text = arg(s, 0) ?? '';
  const family = vs.family ?? (text.includes('.') ? 'inet' : 'inet6');
  const valid = family === 'inet6' ? unsigned(text, 1, 128) !== undefined : parseIp(text)?.family === 4;
  if (!valid) {
    notes.add(
      'adjusted',
      s,
      `"${text}" is not a${family === 'inet6' ? 'n IPv6 prefix length (1-128)' : 'n IPv4 netmask'}: keepalived ignores it`,
    );
    return;
  }
  vs.granularity = family === 'inet6' ? String(Number(text)) : (canonicalIp(text) ?? text);
  vs.family ??= family;
  vs.persistence ??= DEFAULT_PERSISTENCE;
}

/** The target of `virtual_server IP PORT | fwmark N | group NAME`; null when keepalived skips the block. */
function target(s: Statement, notes: Notes): VirtualServer['target'] | null {
  const [first, second] = [arg(s, 0), arg(s, 1)];
  if (first === 'group' && second !== undefined) return { kind: 'group', name: second };
  if (first === 'fwmark') {
    const mark = unsigned(second, 0, 2 ** 32 - 1);
    if (mark !== undefined) return { kind: 'fwmark', mark };
  } else {
    const a = address(first ?? '');
    const p = port(second);
    if (a !== null && p !== undefined) return { kind: 'address', ...a, port: p };
  }
  notes.add(
    'adjusted',
    s,
    `"${s.args.map((w) => w.text).join(' ')}" is not IP PORT, fwmark N or group NAME: keepalived skips this virtual server`,
  );
  return null;
}

/** A virtual_server block, keyword by keyword as the handlers apply them; null when keepalived skips it. */
function virtualServer(s: Statement, notes: Notes): VirtualServer | null {
  const t = target(s, notes);
  if (t === null) return null;
  const timing = timingOf(s.block, 'virtual_server');
  const loop = Number(timing.get('delay_loop')?.value);
  const vs: VirtualServer = {
    target: t,
    flagBits: new Set(),
    onePacket: false,
    weight: 1,
    realServers: [],
    inhibit: false,
    delayLoop: Number.isFinite(loop) && loop > 0 ? loop : 60,
    at: s.keyword.at,
  };
  if (t.kind === 'address') vs.family = t.family;
  for (const c of s.block ?? []) {
    const k = c.keyword.text;
    if (k === 'lb_algo' || k === 'lvs_sched') {
      if (SCHEDULERS.has(arg(c, 0) ?? '')) vs.scheduler = arg(c, 0);
      else
        notes.add(
          'adjusted',
          c,
          `"${arg(c, 0) ?? ''}" is not an IPVS scheduler: keepalived ignores the line (Invalid lvs_scheduler) and keeps ${vs.scheduler ?? `the default ${DEFAULT_SCHEDULER}`}`,
        );
    } else if (k === 'ops' || k === 'hashed' || /^(flag-[123]|(sh|mh)-(port|fallback))$/.test(k)) schedulerFlag(c, vs, notes);
    else if (k === 'lb_kind' || k === 'lvs_method') {
      const f = forwarding(c, notes);
      if (f !== undefined) vs.forwarding = f;
    } else if (k === 'persistence_timeout') {
      const timeout = c.args.length === 0 ? DEFAULT_PERSISTENCE : unsigned(arg(c, 0), 1, MAX_PERSISTENCE);
      if (timeout === undefined)
        notes.add(
          'adjusted',
          c,
          `persistence_timeout "${arg(c, 0) ?? ''}" is outside 1-${MAX_PERSISTENCE}: keepalived ignores it${vs.persistence === undefined ? ', so the service is not persistent' : ''}`,
        );
      else vs.persistence = timeout;
    } else if (k === 'persistence_granularity') granularity(c, vs, notes);
    else if (k === 'protocol') {
      const protocol = PROTOCOLS[(arg(c, 0) ?? '').toUpperCase()];
      if (protocol === undefined)
        notes.add('adjusted', c, `unknown protocol "${arg(c, 0) ?? ''}": keepalived ignores it (TCP, UDP or SCTP)`);
      else vs.protocol = protocol;
    } else if (k === 'ip_family') {
      const family = arg(c, 0) === 'inet' ? 'inet' : arg(c, 0) === 'inet6' ? 'inet6' : undefined;
      if (family === undefined || (vs.family !== undefined && vs.family !== family))
        notes.add('adjusted', c, `ip_family "${arg(c, 0) ?? ''}" is unknown or conflicts with the address: keepalived ignores it`);
      else vs.family = family;
    } else if (k === 'weight') {
      const w = unsigned(arg(c, 0), 1, MAX_WEIGHT);
      if (w === undefined) notes.add('adjusted', c, `weight "${arg(c, 0) ?? ''}" is outside 1-${MAX_WEIGHT}: keepalived ignores it`);
      else vs.weight = w;
    } else if (k === 'real_server') {
      const rs = realServer(c, vs, timing, notes);
      if (rs === null) continue;
      // rs_end_handler: a non-tunnelled real server of another family than the service is skipped.
      const tunnelled = (rs.forwarding ?? vs.forwarding)?.forward === 'ipip';
      if (!tunnelled && vs.family !== undefined && vs.family !== rs.family)
        notes.add('adjusted', c, "the real server's address family differs from the virtual server's: keepalived skips it");
      else {
        if (!tunnelled) vs.family ??= rs.family;
        vs.realServers.push(rs);
      }
    } else if (k === 'inhibit_on_failure') vs.inhibit = inhibitOf(c);
    else if (k === 'sorry_server') {
      const a = address(arg(c, 0) ?? '');
      const p = port(arg(c, 1));
      if (a === null || p === undefined) notes.add('adjusted', c, `"${rest(c)}" is not an address and port: keepalived ignores it`);
      else vs.sorry = { address: a.address, port: p };
    } else if (k === 'quorum' || k === 'hysteresis') {
      const n = unsigned(arg(c, 0), k === 'quorum' ? 1 : 0, MAX_WEIGHT);
      if (n === undefined) notes.add('adjusted', c, `${k} "${arg(c, 0) ?? ''}" is not a number keepalived takes: ignored`);
      else vs[k] = n;
    } else if (INHERITED_TIMING.includes(k) && k !== 'warmup') continue;
    else if (k === 'virtualhost') continue;
    else if (VS_NOT_IMPORTED.has(k)) notes.add('not-imported', c, VS_NOT_IMPORTED.get(k) ?? '');
    else notes.add('adjusted', c, 'not a virtual_server keyword: keepalived reports it and ignores it');
  }
  return vs;
}

/** One virtual_server_group line: "IP[-END|/LEN] [PORT]" or "fwmark N [inet|inet6]" (alloc_vsg_entry); null when keepalived skips it. */
function groupEntry(s: Statement, notes: Notes): GroupEntry | null {
  const at = s.keyword.at;
  const text = s.keyword.text;
  if (text === 'fwmark') {
    const mark = unsigned(arg(s, 0), 0, 2 ** 32 - 1);
    const family = arg(s, 1);
    if (mark === undefined || (family !== undefined && family !== 'inet' && family !== 'inet6')) {
      notes.add(
        'adjusted',
        s,
        `"fwmark ${s.args.map((w) => w.text).join(' ')}" is not a mark with an optional inet/inet6: keepalived skips it`,
      );
      return null;
    }
    return family === undefined ? { kind: 'fwmark', mark, at } : { kind: 'fwmark', mark, family, at };
  }
  const skip = (why: string): null => {
    notes.add('adjusted', s, `${why}: keepalived skips this group entry`);
    return null;
  };
  const p = port(arg(s, 0));
  const m = /^([^/-]+)(?:-([^/]+)|\/(\d+))?$/.exec(text);
  const start = address(m?.[1] ?? '');
  if (m === null || start === null || p === undefined)
    return skip(`"${text} ${arg(s, 0) ?? ''}" is not an address (range or prefix) and port`);
  const first = parseIp(start.address);
  if (first === null) return skip(`"${text}" is not an address`);
  const bits = first.family === 4 ? 32 : 128;
  let count = 1n;
  if (m[3] !== undefined) {
    const length = Number(m[3]);
    if (length === 0 || length > bits) return skip(`"${text}": invalid prefix length`);
    const host = (1n << BigInt(bits - length)) - 1n;
    if ((first.value & host) !== 0n) return skip(`"${text}": the address has bits set beyond the prefix length`);
    count = host + 1n;
  } else if (m[2] !== undefined) {
    // "a.b.c.d-e": the last byte (IPv4) or the last 16 bits (IPv6, hex) run to e; or a full end address.
    const full = address(m[2]);
    const last =
      full !== null
        ? parseIp(full.address)?.value
        : first.family === 4
          ? (first.value & ~0xffn) | BigInt(unsigned(m[2], 0, 255) ?? -1)
          : /^[0-9a-f]{1,4}$/i.test(m[2])
            ? (first.value & ~0xffffn) | BigInt(`0x${m[2]}`)
            : undefined;
    if (last === undefined || last < 0n || last <= first.value) return skip(`"${text}": the range does not end after its start`);
    count = last - first.value + 1n;
  }
  if (count > BigInt(MAX_RANGE)) return skip(`"${text}" stands for ${count} services, more than the importer takes (${MAX_RANGE})`);
  return { kind: 'range', first: start.address, count: Number(count), port: p, family: start.family, at };
}

/** The addresses of a group range entry, in order. */
function rangeAddresses(entry: Extract<GroupEntry, { kind: 'range' }>): string[] {
  const first = parseIp(entry.first);
  if (first === null) return [];
  return Array.from({ length: entry.count }, (_, i) => formatIp({ family: first.family, value: first.value + BigInt(i) }));
}

/** The IPVS services of one virtual server, as ipvs_cmd/ipvs_group_cmd add them; notes what keepalived changes at load time. */
function servicesOf(vs: VirtualServer, s: Statement, groups: Map<string, Group>, notes: Notes): ImportedService[] {
  if (vs.realServers.length === 0) {
    notes.add('adjusted', s, 'a virtual server without real servers: keepalived ignores it');
    return [];
  }
  let entries: GroupEntry[];
  if (vs.target.kind === 'group') {
    const group = groups.get(vs.target.name);
    if (group === undefined) {
      notes.add('adjusted', s, `no virtual_server_group "${vs.target.name}" is defined before it: keepalived sets up nothing for it`);
      return [];
    }
    group.used = true;
    entries = group.entries;
  } else if (vs.target.kind === 'fwmark') entries = [{ kind: 'fwmark', mark: vs.target.mark, at: vs.at }];
  else entries = [{ kind: 'range', first: vs.target.address, count: 1, port: vs.target.port, family: vs.target.family, at: vs.at }];
  const ranges = entries.filter((e) => e.kind === 'range');
  // validate_check_config: defaults and corrections keepalived applies (each logged by keepalived too).
  if (ranges.length > 0) {
    if (vs.protocol === undefined) {
      notes.add(
        'adjusted',
        s,
        'no "protocol": keepalived defaults to UDP (the kernel would too); write "protocol TCP" if that is what was meant',
      );
      vs.protocol = 'udp';
    }
    if (vs.onePacket && vs.protocol !== 'udp') {
      notes.add('adjusted', s, 'ops applies to UDP only: keepalived resets it');
      vs.onePacket = false;
    }
    if (vs.persistence === undefined && ranges.some((e) => e.port === 0)) {
      notes.add('adjusted', s, `port 0 is valid only for persistent services: keepalived sets persistence_timeout ${DEFAULT_PERSISTENCE}`);
      vs.persistence = DEFAULT_PERSISTENCE;
    }
  } else if (vs.protocol !== undefined) {
    notes.add('adjusted', s, 'a firewall-mark service ignores "protocol": keepalived drops it');
  }
  if (vs.scheduler === undefined) notes.add('adjusted', s, `no lb_algo/lvs_sched: keepalived sets the default ${DEFAULT_SCHEDULER}`);
  if (vs.realServers.some((rs) => rs.forwarding === undefined) && vs.forwarding === undefined)
    notes.add('adjusted', s, 'no lb_kind/lvs_method: keepalived defaults to NAT');
  const scheduler = vs.scheduler ?? DEFAULT_SCHEDULER;
  const named =
    scheduler === 'sh' || scheduler === 'mh' ? [`${scheduler}-fallback`, `${scheduler}-port`, 'flag-3'] : ['flag-1', 'flag-2', 'flag-3'];
  const flags = ([1, 2, 3] as const).filter((b) => vs.flagBits.has(b)).map((b) => named[b - 1] ?? '');
  const seen = new Set<string>();
  const realServers = vs.realServers.filter((rs) => {
    const key = destinationKey(rs);
    if (!seen.has(key)) return seen.add(key);
    notes.add('adjusted', s, `real server ${key} is listed twice: keepalived removes the second`);
    return false;
  });
  const pool = poolOf(vs, realServers, s, notes);
  return entries.flatMap((entry) => {
    const family: Family = entry.kind === 'range' ? entry.family : (entry.family ?? vs.family ?? 'inet');
    const persistence: Persistence | null =
      vs.persistence === undefined
        ? null
        : { timeout: vs.persistence, netmask: vs.granularity ?? (family === 'inet6' ? '128' : '255.255.255.255') };
    if (persistence !== null && family === 'inet' && maskLength(persistence.netmask) === null)
      notes.add('adjusted', s, `persistence_granularity ${persistence.netmask} is not a contiguous netmask: lbctl cannot express it`);
    const ids: IpvsServiceId[] =
      entry.kind === 'fwmark'
        ? [{ protocol: 'fwmark', mark: entry.mark, family }]
        : rangeAddresses(entry).map((a) => ({ protocol: vs.protocol ?? 'udp', address: a, port: entry.port }));
    return ids.map((id): ImportedService => {
      const servicePort = id.protocol === 'fwmark' ? 0 : id.port;
      const destinations: IpvsDestination[] = realServers.map((rs) => {
        const forward = (rs.forwarding ?? vs.forwarding)?.forward ?? 'masq';
        // ipvs_cmd: DR and TUN real servers take the service's port (0 for fwmark services); NAT keeps its own.
        return {
          address: rs.address,
          port: forward === 'masq' ? rs.port : servicePort,
          forward,
          weight: rs.weight ?? vs.weight,
          upper: rs.upper,
          lower: rs.lower,
        };
      });
      const service: IpvsService = { id, scheduler, flags, persistence, onePacket: vs.onePacket, destinations };
      const checks = new Map<string, RawCheck>();
      realServers.forEach((rs, i) => {
        const d = destinations[i];
        if (rs.check !== undefined && d !== undefined) checks.set(destinationKey(d), rs.check);
      });
      return { service, at: entry.at, ...(checks.size > 0 ? { checks } : {}), ...(pool === undefined ? {} : { pool }) };
    });
  });
}

/**
 * What failing checks do to the pool, as keepalived runs it: a failing real server is removed (inhibit_on_failure:
 * weight 0), all of them may fail at once (failOpen 100), quorum 1 (the sorry server comes in when none is up) and
 * hysteresis 0 unless written, quorum at most the total weight and hysteresis below quorum (validate_check_config).
 */
function poolOf(vs: VirtualServer, realServers: readonly RealServer[], s: Statement, notes: Notes): ImportedPool | undefined {
  const pool: ImportedPool = {};
  const checked = realServers.filter((rs) => rs.check !== undefined);
  if (checked.length > 0) {
    const inhibited = checked.filter((rs) => rs.inhibit ?? vs.inhibit).length;
    pool.onFailure = inhibited * 2 > checked.length ? 'weight0' : 'remove';
    if (inhibited > 0 && inhibited < checked.length)
      notes.add(
        'adjusted',
        s,
        `inhibit_on_failure is set on ${inhibited} of ${checked.length} checked real servers: lbctl sets one onFailure per service (${pool.onFailure})`,
      );
    pool.failOpen = 100;
  }
  if (vs.sorry !== undefined) pool.sorryServer = vs.sorry.port > 0 ? endpoint(vs.sorry.address, vs.sorry.port) : vs.sorry.address;
  if (vs.quorum !== undefined || vs.hysteresis !== undefined) {
    const total = realServers.reduce((sum, rs) => sum + (rs.weight ?? vs.weight), 0);
    let quorum = vs.quorum ?? 1;
    if (quorum > total && total > 0) {
      notes.add('adjusted', s, `quorum ${quorum} exceeds the real servers' total weight ${total}: keepalived lowers it to ${total}`);
      quorum = total;
    }
    let hysteresis = vs.hysteresis ?? 0;
    if (hysteresis >= quorum) {
      notes.add('adjusted', s, `hysteresis ${hysteresis} is not below quorum ${quorum}: keepalived sets it to ${quorum - 1}`);
      hysteresis = quorum - 1;
    }
    pool.quorum = quorum;
    if (hysteresis > 0) pool.hysteresis = hysteresis;
  }
  return Object.keys(pool).length > 0 ? pool : undefined;
}

/** The address lines of a vrrp_instance. */
const vrrpAddressLines = (s: Statement): Statement[] =>
  (s.block ?? [])
    .filter((c) => c.keyword.text === 'virtual_ipaddress' || c.keyword.text === 'virtual_ipaddress_excluded')
    .flatMap((c) => c.block ?? []);

/** The address of a virtual_ipaddress line ("IP[/LEN] [dev IF] ..."). */
const vrrpAddress = (a: Statement): string | undefined => address(a.keyword.text.split('/')[0] ?? '')?.address;

/** The interfaces a vrrp_instance puts its addresses on: each address's `dev`, else the instance's `interface`. */
function vrrpInterfaces(s: Statement): InterfaceHint[] {
  const instance = (s.block ?? []).find((c) => c.keyword.text === 'interface')?.args[0]?.text;
  return vrrpAddressLines(s).flatMap((a) => {
    const dev = a.args.findIndex((w) => w.text === 'dev');
    const name = dev < 0 ? instance : a.args[dev + 1]?.text;
    const ip = vrrpAddress(a);
    return name === undefined || ip === undefined ? [] : [{ name, address: ip, at: a.keyword.at }];
  });
}

/** The notes of an IPVS keyword inside another block: the sync daemon is lbctl's own once a VIP is VRRP's. */
function lvsKeyword(c: Statement, synced: boolean, notes: Notes): boolean {
  const lvs = LVS_IN_OTHER_BLOCKS.get(c.keyword.text);
  if (lvs === undefined) return false;
  if (synced && c.keyword.text.startsWith('lvs_sync_daemon')) notes.add('adjusted', c, SYNC_IMPORTED);
  else notes.add('not-imported', c, lvs);
  return true;
}

/** Notes for a block that is not LVS configuration, with the IPVS keywords inside it on their own lines. */
function otherBlock(s: Statement, synced: boolean, notes: Notes): void {
  const reason = TOP_NOT_IMPORTED.get(s.keyword.text);
  notes.add(
    reason === undefined ? 'adjusted' : 'not-imported',
    s,
    reason ?? 'not a keepalived keyword lbctl knows: keepalived reports unknown keywords and ignores them',
  );
  for (const c of s.block ?? []) lvsKeyword(c, synced, notes);
}

/** A vrrp_instance holding VIPs of imported services (they get `ha: vrrp`): how lbctl's instance differs, line by line. */
function vrrpInstance(s: Statement, vips: ReadonlySet<string>, notes: Notes): void {
  const mine = vrrpAddressLines(s)
    .flatMap((a) => vrrpAddress(a) ?? [])
    .filter((a) => vips.has(a));
  notes.list.push({
    kind: 'adjusted',
    at: s.keyword.at,
    keyword: s.keyword.text,
    message: `the services of VIP ${mine.join(', ')} get "ha: vrrp": lbctl writes one VRRP instance per VIP itself (keepalived.conf, VRRP only)`,
  });
  for (const c of s.block ?? []) {
    const k = c.keyword.text;
    const known = VRRP_INSTANCE_NOTES.get(k);
    if (k === 'interface' || lvsKeyword(c, true, notes)) continue;
    if (k === 'virtual_ipaddress' || k === 'virtual_ipaddress_excluded') {
      for (const a of c.block ?? []) {
        const ip = vrrpAddress(a);
        if (ip === undefined || !vips.has(ip))
          notes.add('not-imported', a, 'no imported virtual server has this address: lbctl moves only VIPs of `ha: vrrp` services');
      }
    } else if (known !== undefined) notes.add(known.kind, c, known.message);
    else notes.add('not-imported', c, VRRP_OTHER);
  }
}

/** The IPVS services a keepalived configuration sets up, a note for everything else in it, and the VRRP addresses' interfaces. */
export function lvsServices(statements: readonly Statement[]): {
  services: ImportedService[];
  notes: ImportNote[];
  interfaces: InterfaceHint[];
} {
  const notes = new Notes();
  const interfaces: InterfaceHint[] = [];
  const groups = new Map<string, Group>();
  const services = new Map<string, ImportedService>();
  for (const s of statements) {
    const k = s.keyword.text;
    if (k === 'virtual_server_group') {
      const entries = (s.block ?? []).flatMap((e) => groupEntry(e, notes) ?? []);
      if (entries.length === 0) notes.add('adjusted', s, 'a virtual server group without entries: keepalived removes it');
      else groups.set(arg(s, 0) ?? '', { entries, at: s.keyword.at, used: false });
    } else if (k === 'virtual_server') {
      const vs = virtualServer(s, notes);
      for (const imported of vs === null ? [] : servicesOf(vs, s, groups, notes)) {
        const key = serviceKey(imported.service.id);
        if (services.has(key)) notes.add('adjusted', s, `service ${key} is defined twice: the kernel keeps the first`);
        else services.set(key, imported);
      }
    } else if (k === 'vrrp_instance') interfaces.push(...vrrpInterfaces(s));
  }
  // VRRP: an instance holding the address of an imported service makes that service `ha: vrrp`.
  const addresses = new Set([...services.values()].flatMap((i) => (i.service.id.protocol === 'fwmark' ? [] : [i.service.id.address])));
  const vrrp = statements.filter((s) => s.keyword.text === 'vrrp_instance');
  const vips = new Set(vrrp.flatMap((s) => vrrpAddressLines(s).flatMap((a) => vrrpAddress(a) ?? [])).filter((a) => addresses.has(a)));
  for (const s of statements) {
    const k = s.keyword.text;
    if (k === 'virtual_server' || k === 'virtual_server_group') continue;
    if (k === 'vrrp_instance' && vrrpAddressLines(s).some((a) => vips.has(vrrpAddress(a) ?? ''))) vrrpInstance(s, vips, notes);
    else otherBlock(s, vips.size > 0, notes);
  }
  for (const i of services.values()) if (i.service.id.protocol !== 'fwmark' && vips.has(i.service.id.address)) i.ha = 'vrrp';
  for (const [name, g] of groups) {
    if (!g.used)
      notes.list.push({
        kind: 'adjusted',
        at: g.at,
        keyword: 'virtual_server_group',
        message: `group ${name} is used by no virtual_server: keepalived sets up nothing for it`,
      });
  }
  return { services: [...services.values()], notes: notes.list, interfaces };
}
