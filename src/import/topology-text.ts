// Imported IPVS services → the text of a topology file lbctl validates: one director host, real servers as bare addresses.
import { contains, formatCidr, formatIp, networkOf, parseCidr, parseIp, type Prefix } from '../net/ip.js';
import { destinationKey, endpoint, serviceKey } from '../model/keys.js';
import type { IpvsDestination, IpvsForward, IpvsService } from '../model/state.js';
import type { RawCheck } from '../topology/health.js';
import { API_VERSION, SCHEDULERS } from '../topology/schema-values.js';
import type { Method } from '../topology/types.js';
import {
  formatNote,
  sortNotes,
  type ImportNote,
  type ImportedPool,
  type ImportResult,
  type ImportedService,
  type InterfaceHint,
  type NoteKind,
} from './report.js';

/** The name the imported topology gives the one director it describes. */
export const DIRECTOR = 'director';

const METHOD: Record<IpvsForward, Method> = { masq: 'nat', gate: 'dr', ipip: 'tun' };
const FORWARD_NAME: Record<IpvsForward, string> = { masq: 'NAT (-m)', gate: 'DR (-g)', ipip: 'TUN (-i)' };

/** Limits of the topology schema narrower than the kernel's. */
const MAX_WEIGHT = 65535;
const MAX_PERSISTENCE = 65535;

/** A service as it goes into the topology, after the adjustments lbctl needs. */
interface DraftService {
  name: string;
  service: IpvsService;
  method: Method;
  /** Each destination's check, in destination order. */
  checks: (RawCheck | undefined)[];
  pool?: ImportedPool;
  ha?: 'vrrp';
}

/** A network the director must share with DR and NAT real servers, with the placeholder address it gets there. */
interface DraftNetwork {
  name: string;
  prefix: string;
  director: string;
  ifname: string;
  /** The source's address on that network that named the interface. */
  hint?: InterfaceHint;
}

/** "tcp-10-0-0-1-80", "fwmark-7", "fwmark-7-inet6": a topology name from the service's identity. */
function serviceName(s: IpvsService): string {
  if (s.id.protocol === 'fwmark') return `fwmark-${s.id.mark}${s.id.family === 'inet6' ? '-inet6' : ''}`;
  return `${s.id.protocol}-${s.id.address.replace(/[.:]+/g, '-')}-${s.id.port}`.replace(/-+/g, '-');
}

/** The forwarding method most of the service's real servers use (lbctl sets one per service). */
function majorityForward(s: IpvsService): IpvsForward {
  const counts = new Map<IpvsForward, number>();
  for (const d of s.destinations) counts.set(d.forward, (counts.get(d.forward) ?? 0) + 1);
  return [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best))[0];
}

/** Fits one imported service into what the topology can express, noting each change; null when it cannot. */
function draftService(imported: ImportedService, notes: ImportNote[]): DraftService | null {
  const { at } = imported;
  const key = serviceKey(imported.service.id);
  const note = (kind: NoteKind, keyword: string, message: string) =>
    notes.push(at === undefined ? { kind, keyword, message } : { kind, at, keyword, message });
  const s: IpvsService = { ...imported.service, destinations: [...imported.service.destinations] };
  // Checks follow their destination through the adjustments below (by object: a changed destination carries it on).
  const checkOf = new Map<IpvsDestination, RawCheck>();
  for (const d of s.destinations) {
    const c = imported.checks?.get(destinationKey(d));
    if (c !== undefined) checkOf.set(d, c);
  }
  if (s.destinations.length === 0) {
    note(
      'not-imported',
      key,
      'a service without real servers: a topology service needs at least one (left alone by lbctl, listed as unmanaged by `lbctl plan`)',
    );
    return null;
  }
  if (!(SCHEDULERS as readonly string[]).includes(s.scheduler)) {
    note('not-imported', key, `scheduler ${s.scheduler} is not one lbctl knows (${SCHEDULERS.join(' ')})`);
    return null;
  }
  const family = s.id.protocol === 'fwmark' ? s.id.family : s.id.address.includes(':') ? 'inet6' : 'inet';
  s.destinations = s.destinations.filter((d) => {
    if ((d.address.includes(':') ? 'inet6' : 'inet') === family) return true;
    note(
      'not-imported',
      key,
      `real server ${endpoint(d.address, d.port)}: a tunnelled real server of another address family; lbctl needs the service's family`,
    );
    return false;
  });
  if (s.destinations.length === 0) return null;
  const forward = majorityForward(s);
  const method = METHOD[forward];
  const port = s.id.protocol === 'fwmark' ? 0 : s.id.port;
  const seen = new Set<string>();
  s.destinations = s.destinations
    .map((d) => {
      let out = d;
      if (d.forward !== forward) {
        note(
          'adjusted',
          key,
          `real server ${endpoint(d.address, d.port)} uses ${FORWARD_NAME[d.forward]} but lbctl sets one method per service: it gets ${FORWARD_NAME[forward]} like the others`,
        );
        out = { ...out, forward };
      }
      if (method !== 'nat' && s.id.protocol !== 'fwmark' && out.port !== port) {
        note(
          'adjusted',
          key,
          `real server ${endpoint(d.address, d.port)}: ${method.toUpperCase()} cannot map ports, the kernel uses the service port ${port}`,
        );
        out = { ...out, port };
      }
      if (method === 'nat' && s.id.protocol !== 'fwmark' && out.port === 0) {
        note('adjusted', key, `real server ${d.address} has port 0; lbctl gives it the service port ${port}`);
        out = { ...out, port };
      }
      if (out.weight > MAX_WEIGHT) {
        note(
          'adjusted',
          key,
          `real server ${endpoint(d.address, d.port)}: weight ${out.weight} lowered to ${MAX_WEIGHT}, the topology's maximum`,
        );
        out = { ...out, weight: MAX_WEIGHT };
      }
      const c = checkOf.get(d);
      if (c !== undefined) checkOf.set(out, c);
      return out;
    })
    .filter((d) => {
      if (!seen.has(destinationKey(d))) return seen.add(destinationKey(d));
      note('adjusted', key, `real server ${destinationKey(d)} appears twice once its port is the service's: kept once`);
      return false;
    });
  if (s.onePacket && s.id.protocol !== 'udp') {
    note('adjusted', key, 'one-packet scheduling dropped: the kernel applies it to UDP only');
    s.onePacket = false;
  } else if (s.onePacket && method === 'nat') {
    note(
      'adjusted',
      key,
      'one-packet scheduling dropped: a NAT director keeps no connection entry to translate the replies (lbctl refuses it)',
    );
    s.onePacket = false;
  }
  if (s.persistence !== null && s.persistence.timeout > MAX_PERSISTENCE) {
    note('adjusted', key, `persistence timeout ${s.persistence.timeout} s lowered to ${MAX_PERSISTENCE} s, the topology's maximum`);
    s.persistence = { ...s.persistence, timeout: MAX_PERSISTENCE };
  }
  const draft: DraftService = { name: serviceName(s), service: s, method, checks: s.destinations.map((d) => checkOf.get(d)) };
  if (imported.pool !== undefined) draft.pool = imported.pool;
  if (imported.ha !== undefined) draft.ha = imported.ha;
  return draft;
}

/** The /24 (IPv4) or /64 (IPv6) around an address: the guess at the L2 network a real server shares with the director. */
function subnetOf(address: string): Prefix | null {
  const p = parseCidr(`${address}/${address.includes(':') ? 64 : 24}`);
  return p === null ? null : networkOf(p);
}

/** The highest address of the prefix that no VIP or real server uses (a placeholder for the director's own). */
function placeholderIn(prefix: Prefix, used: ReadonlySet<string>): string {
  const hostBits = (prefix.family === 4 ? 32 : 128) - prefix.length;
  for (let offset = (1n << BigInt(hostBits)) - 2n; offset > 0n; offset--) {
    const candidate = formatIp({ family: prefix.family, value: prefix.value + offset });
    if (!used.has(candidate)) return candidate;
  }
  return formatIp({ family: prefix.family, value: prefix.value + 1n });
}

/** Networks for DR and NAT real servers (they must share one with the director); TUN real servers need none. Interfaces are named after a hint on the network, else ethN. */
function draftNetworks(services: DraftService[], hints: readonly InterfaceHint[]): DraftNetwork[] {
  const used = new Set([
    ...services.flatMap((d) => [
      ...(d.service.id.protocol === 'fwmark' ? [] : [d.service.id.address]),
      ...d.service.destinations.map((r) => r.address),
    ]),
    ...hints.map((h) => h.address),
  ]);
  const prefixes = new Map<string, Prefix>();
  for (const d of services) {
    // VRRP moves the VIP between directors on the network that holds it.
    const vip = d.ha === 'vrrp' && d.service.id.protocol !== 'fwmark' ? [d.service.id.address] : [];
    const onL2 = d.method === 'tun' ? [] : d.service.destinations.map((r) => r.address);
    for (const address of [...vip, ...onL2]) {
      const p = subnetOf(address);
      if (p !== null) prefixes.set(formatCidr(p), p);
    }
  }
  const taken = new Set<string>();
  const networks = [...prefixes.entries()].map(([prefix, p], i): DraftNetwork => {
    const hint = hints.find((h) => !taken.has(h.name) && contains(p, parseIp(h.address) ?? { family: p.family, value: -1n }));
    const network: DraftNetwork = { name: `net${i + 1}`, prefix, director: `${placeholderIn(p, used)}/${p.length}`, ifname: '' };
    if (hint !== undefined) {
      taken.add(hint.name);
      network.ifname = hint.name;
      network.hint = hint;
    }
    return network;
  });
  // Fallback names avoid every interface the source names, on this network or another.
  const named = new Set(hints.map((h) => h.name));
  let next = 0;
  for (const n of networks.filter((x) => x.ifname === '')) {
    while (taken.has(`eth${next}`) || named.has(`eth${next}`)) next++;
    n.ifname = `eth${next}`;
    taken.add(n.ifname);
  }
  return networks;
}

/** A YAML scalar: plain unless it starts with ':' or holds anything but letters, digits and ._/:- ("[2001:db8::1]:80" is quoted). */
function scalar(text: string): string {
  return /^[A-Za-z0-9._/-][A-Za-z0-9._/:-]*$/.test(text) ? text : JSON.stringify(text);
}

/** A YAML scalar for a value lbctl reads as a string: quoted also when YAML would read a number, boolean or null. */
function text(value: string): string {
  return /^([-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?|true|false|yes|no|on|off|null|~)$/i.test(value) ? JSON.stringify(value) : scalar(value);
}

/** A check (or any plain value) as YAML flow: `{ kind: http, interval: 60, status: [200] }`. */
function flow(value: unknown): string {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (typeof value === 'object' && value !== null)
    return `{ ${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join(', ')} }`;
  return String(value);
}

/** A destination's check as written under it: without the port when it probes the destination's own port. */
function ownCheck(check: RawCheck, d: IpvsDestination): RawCheck {
  if (check.port === undefined || check.port !== d.port || d.port === 0) return check;
  const { port: _port, ...rest } = check;
  return rest;
}

/**
 * The service's check and each real server's `check:` under it: the check most real servers have is the service's,
 * the others override the fields that differ (`false`: none). When an override would have to unset a field, every
 * real server writes its whole check instead.
 */
function splitChecks(draft: DraftService): { base?: RawCheck; own: (RawCheck | false | undefined)[] } {
  const checks = draft.checks.map((c, i) => (c === undefined ? undefined : ownCheck(c, draft.service.destinations[i]!)));
  const counts = new Map<string, number>();
  for (const c of checks) counts.set(JSON.stringify(c ?? null), (counts.get(JSON.stringify(c ?? null)) ?? 0) + 1);
  const [top] = [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best));
  const base = JSON.parse(top) as RawCheck | null;
  if (base === null) return { own: checks };
  let whole = false;
  const own = checks.map((c, i): RawCheck | false | undefined => {
    if (c === undefined) return false;
    if (JSON.stringify(c) === top) return undefined;
    if (c.kind !== base.kind) return c;
    const d = draft.service.destinations[i]!;
    const filled: RawCheck = { ...c, ...(base.port !== undefined && c.port === undefined && d.port > 0 ? { port: d.port } : {}) };
    if (Object.keys(base).some((k) => !(k in filled))) whole = true;
    return Object.fromEntries(Object.entries(filled).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(base[k as keyof RawCheck])));
  });
  return whole ? { own: checks } : { base, own };
}

/** The YAML lines of one service. */
function serviceYaml(d: DraftService): string[] {
  const s = d.service;
  const lines = [`  ${d.name}:`];
  if (s.id.protocol === 'fwmark') lines.push(`    fwmark: ${s.id.mark}`);
  else lines.push(`    vip: ${scalar(s.id.address)}`, `    port: ${s.id.port}`, `    protocol: ${s.id.protocol}`);
  lines.push(`    scheduler: ${s.scheduler}`);
  if (s.flags.length > 0) lines.push(`    flags: [${s.flags.join(', ')}]`);
  if (s.persistence !== null) {
    const full = s.persistence.netmask === '255.255.255.255' || s.persistence.netmask === '128';
    const mask = /^\d+$/.test(s.persistence.netmask) ? s.persistence.netmask : scalar(s.persistence.netmask);
    lines.push(
      full ? `    persistence: ${s.persistence.timeout}` : `    persistence: { timeout: ${s.persistence.timeout}, netmask: ${mask} }`,
    );
  }
  if (s.onePacket) lines.push('    onePacket: true');
  lines.push(`    method: ${d.method}`, `    directors: [${DIRECTOR}]`);
  if (d.ha !== undefined) lines.push(`    ha: ${d.ha}`);
  const { base, own } = splitChecks(d);
  if (base !== undefined) lines.push(`    check: ${flow(base)}`);
  const pool = d.pool ?? {};
  if (pool.onFailure !== undefined) lines.push(`    onFailure: ${pool.onFailure}`);
  if (pool.failOpen !== undefined) lines.push(`    failOpen: ${pool.failOpen}`);
  if (pool.sorryServer !== undefined) lines.push(`    sorryServer: ${scalar(pool.sorryServer)}`);
  if (pool.quorum !== undefined) lines.push(`    quorum: ${pool.quorum}`);
  if (pool.hysteresis !== undefined) lines.push(`    hysteresis: ${pool.hysteresis}`);
  lines.push('    realServers:');
  for (const [i, r] of s.destinations.entries()) {
    const port = s.id.protocol === 'fwmark' && r.port === 0 ? undefined : r.port;
    const check = own[i];
    if (r.weight === 1 && r.upper === 0 && r.lower === 0 && check === undefined) {
      lines.push(`      - ${scalar(port === undefined ? r.address : endpoint(r.address, port))}`);
      continue;
    }
    const fields = [`address: ${scalar(r.address)}`, ...(port === undefined ? [] : [`port: ${port}`]), `weight: ${r.weight}`];
    if (r.upper > 0) fields.push(`upper: ${r.upper}`);
    if (r.lower > 0) fields.push(`lower: ${r.lower}`);
    if (check !== undefined) fields.push(`check: ${flow(check)}`);
    lines.push(`      - { ${fields.join(', ')} }`);
  }
  return lines;
}

/** Comment lines listing the notes of one kind under a title. */
function noteSection(title: string, notes: readonly ImportNote[]): string[] {
  return notes.length === 0 ? [] : [`# ${title}:`, ...notes.map((n) => `#   ${formatNote(n, false)}`)];
}

/** The imported topology: YAML text with a header comment, and every note (the importer's and the drafting's). */
export function draftTopology(result: ImportResult, origin: string): { yaml: string; notes: ImportNote[] } {
  const notes = sortNotes(result.notes);
  const services = result.services.flatMap((s) => draftService(s, notes) ?? []);
  const names = new Map<string, number>();
  for (const d of services) {
    const seen = names.get(d.name) ?? 0;
    names.set(d.name, seen + 1);
    if (seen > 0) d.name = `${d.name}-${seen + 1}`;
  }
  const networks = draftNetworks(services, result.interfaces ?? []);
  for (const n of networks) {
    const named =
      n.hint === undefined
        ? "write the director's real interface name and"
        : `the name ${n.ifname} comes from ${n.hint.address} at ${n.hint.at.file}:${n.hint.at.line}; write the director's own`;
    notes.push({
      kind: 'fill-in',
      keyword: `hosts.${DIRECTOR}.interfaces.${n.ifname}`,
      message: `${n.director} on ${n.prefix} is a placeholder: ${named} address on the network of these real servers`,
    });
  }
  const vrrp = services.filter((d) => d.ha === 'vrrp').map((d) => d.name);
  if (vrrp.length > 0)
    notes.push({
      kind: 'fill-in',
      keyword: `services.${vrrp.join(', ')}.directors`,
      message:
        'add the other VRRP director(s), the preferred master first (lbctl gives priorities in this order); each needs an interface on the network of the VIP',
    });
  if (services.length > 0) {
    notes.push({
      kind: 'fill-in',
      keyword: `hosts.${DIRECTOR}`,
      message:
        'the director is named "director": rename it to the host `lbctl apply --host` will run on, and add its other interfaces and gateway',
    });
  }
  const lines = [
    `# ${origin}`,
    '# Real servers are bare addresses: lbctl configures only the director. Check with `lbctl validate`, then `lbctl plan`.',
    ...noteSection(
      'Fill in',
      notes.filter((n) => n.kind === 'fill-in'),
    ),
    ...noteSection(
      'Not imported (lbctl cannot express it yet)',
      notes.filter((n) => n.kind === 'not-imported'),
    ),
    ...noteSection(
      'Adjusted',
      notes.filter((n) => n.kind === 'adjusted'),
    ),
    `apiVersion: ${API_VERSION}`,
  ];
  if (networks.length > 0) lines.push('networks:', ...networks.map((n) => `  ${n.name}: ${n.prefix}`));
  lines.push('hosts:', `  ${DIRECTOR}:`, '    roles: [director]');
  if (networks.length > 0) {
    lines.push(
      '    interfaces:',
      ...networks.map((n) => `      ${n.ifname}: { network: ${n.name}, address: ${scalar(n.director)} }   # FILL IN: placeholder`),
    );
  }
  if (services.length > 0) lines.push('services:', ...services.flatMap(serviceYaml));
  return { yaml: `${lines.join('\n')}\n`, notes: sortNotes(notes) };
}
