// Desired vs observed → changes and unmanaged objects, one small rule per kind of object.
import {
  addressKey,
  destinationChangeKey,
  destinationKey,
  naturalCompare,
  nftRuleIdentity,
  routeKey,
  sameServiceId,
  serviceKey,
} from '../model/keys.js';
import { destinationAttrsEqual, serviceAttrsEqual } from '../drivers/ipvs/equal.js';
import type { Address, HostState, IpvsDestination, IpvsService, ManagedFile, NftTable } from '../model/state.js';
import { destinationSpec, serviceSpec, type Change, type Drain, type Kind, type ObjectAction, type Unmanaged } from './types.js';

/** Keys ("kind key") of objects lbctl created on this host, from its ledger; empty when unknown. */
export type Owned = ReadonlySet<string>;

/** The ledger key of an object. */
export function ownedKey(kind: Kind, key: string): string {
  return `${kind} ${key}`;
}

/** What to do with an observed object that is not desired. */
type Extra = 'delete' | 'unmanaged' | 'ignore';

interface Collector {
  changes: Change[];
  unmanaged: Unmanaged[];
  owned: Owned;
  draining: Drain[];
  drainExpired: (key: string) => boolean;
}

/** How deletions of real servers wait for their connections. */
export interface DrainPolicy {
  /** True when the destination (by change key) has drained for longer than the timeout. */
  drainExpired: (key: string) => boolean;
}

/**
 * A real server leaves in two steps: weight 0 first (no new connections), then, once its
 * active connections reached 0 or its drain timed out, deletion. Null: keep waiting.
 */
function drainStep(out: Collector, c: Change): Change | null {
  if (c.kind !== 'ipvs-destination' || c.action !== 'delete' || c.before === null) return c;
  if (c.before.weight > 0) {
    out.draining.push({ key: c.key, phase: 'weight-0', activeConns: c.before.activeConns ?? 0 });
    return { ...c, action: 'update', drain: true, after: { ...c.before, weight: 0, activeConns: undefined, inactiveConns: undefined } };
  }
  const active = c.before.activeConns ?? 0;
  if (active > 0 && !out.drainExpired(c.key)) {
    out.draining.push({ key: c.key, phase: 'connections', activeConns: active });
    return null;
  }
  return c;
}

/** Compares two keyed collections of one kind; `extra` decides the fate of observed-only objects. */
function diffKeyed<T, K extends Kind>(
  out: Collector,
  kind: K,
  desired: Map<string, T>,
  observed: Map<string, T>,
  equal: (a: T, b: T) => boolean,
  extra: (key: string, value: T) => Extra,
  make: (c: { action: ObjectAction; key: string; before: T | null; after: T | null }) => Change,
): void {
  for (const [key, after] of desired) {
    const before = observed.get(key);
    if (before === undefined) out.changes.push(make({ action: 'create', key, before: null, after }));
    else if (!equal(before, after)) out.changes.push(make({ action: 'update', key, before, after }));
  }
  for (const [key, before] of observed) {
    if (desired.has(key)) continue;
    const fate = out.owned.has(ownedKey(kind, key)) ? 'delete' : extra(key, before);
    if (fate === 'delete') out.changes.push(make({ action: 'delete', key, before, after: null }));
    else if (fate === 'unmanaged') out.unmanaged.push({ kind, key });
  }
}

const keyed = <T>(items: readonly T[], key: (t: T) => string) => new Map(items.map((i) => [key(i), i] as const));
const same = <T>(a: T, b: T) => JSON.stringify(a) === JSON.stringify(b);

/** Addresses that are part of every host, never reported as unmanaged. */
const LOOPBACK = new Set(['lo 127.0.0.1/8', 'lo ::1/128']);

/** Devices whose extra addresses are worth reporting (where VIPs live). */
const VIP_DEVICES = new Set(['lo', 'tunl0']);

/**
 * ECMP services keep their destinations in the kernel in address order (mh builds its table by walking them): a new
 * destination is appended to the kernel's list, so every kept one sorting after it is deleted and re-added after it
 * (the plan runs destination changes in key order). Deleting a destination keeps its connections: IPVS parks it,
 * and adding it again takes it back with them.
 */
function reorderAfterNew(out: Collector, key: string, service: IpvsService, seen: IpvsService): void {
  const created = new Set(
    out.changes.filter((c) => c.kind === 'ipvs-destination' && c.action === 'create' && c.key.startsWith(`${key} `)).map((c) => c.key),
  );
  if (created.size === 0) return;
  const first = [...created].sort(naturalCompare)[0] ?? '';
  const observed = keyed(seen.destinations, destinationKey);
  for (const d of service.destinations) {
    const changeKey = destinationChangeKey(key, destinationKey(d));
    const before = observed.get(destinationKey(d));
    if (created.has(changeKey) || before === undefined || naturalCompare(changeKey, first) < 0) continue;
    const update = out.changes.find((c) => c.kind === 'ipvs-destination' && c.key === changeKey);
    if (update) update.reorder = true;
    else
      out.changes.push({
        action: 'update',
        kind: 'ipvs-destination',
        key: changeKey,
        before: destinationSpec(before, service.id),
        after: destinationSpec(d, service.id),
        reorder: true,
      });
  }
}

/** True when two destination lists name the same real servers in the same order, as a converged service's do. */
function sameEndpoints(a: readonly IpvsDestination[], b: readonly IpvsDestination[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.address !== b[i]!.address || a[i]!.port !== b[i]!.port) return false;
  return true;
}

/** A desired service, its key, and the observed service of that key (undefined when the host lacks it). */
type ServicePair = [key: string, service: IpvsService, seen: IpvsService | undefined];

/** Pairs the services by key; service creates, updates, deletes and unmanaged ones go to `out`. */
function servicesByKey(out: Collector, desired: IpvsService[], observed: IpvsService[]): ServicePair[] {
  const obs = keyed(observed, (s) => serviceKey(s.id));
  const want = keyed(desired, (s) => serviceKey(s.id));
  diffKeyed(
    out,
    'ipvs-service',
    want,
    obs,
    serviceAttrsEqual,
    () => 'unmanaged',
    (c) => ({ ...c, kind: 'ipvs-service', before: c.before && serviceSpec(c.before), after: c.after && serviceSpec(c.after) }),
  );
  return [...want].map(([key, service]) => [key, service, obs.get(key)]);
}

/**
 * What servicesByKey finds for lists of one set of services in one order (a converged host's), without a map or a
 * lookup per service: the services pair by position, and those whose attributes differ are updates.
 */
function servicesInOrder(out: Collector, desired: IpvsService[], observed: IpvsService[]): ServicePair[] {
  return desired.map((service, i): ServicePair => {
    const key = serviceKey(service.id);
    const seen = observed[i]!;
    if (!serviceAttrsEqual(seen, service))
      out.changes.push({ action: 'update', key, before: serviceSpec(seen), after: serviceSpec(service), kind: 'ipvs-service' });
    return [key, service, seen];
  });
}

/** True when two service lists name the same services in the same order. */
function sameServices(a: readonly IpvsService[], b: readonly IpvsService[]): boolean {
  return a.length === b.length && a.every((s, i) => sameServiceId(s.id, b[i]!.id));
}

function diffServices(
  out: Collector,
  desired: IpvsService[],
  observed: IpvsService[],
  thresholdsSeen: boolean,
  ecmp: ReadonlySet<string>,
): void {
  const pairs = sameServices(desired, observed) ? servicesInOrder(out, desired, observed) : servicesByKey(out, desired, observed);
  for (const [key, service, seen] of pairs) {
    const withService = (d: IpvsDestination | null) => d && destinationSpec(d, service.id);
    const make = (c: { action: ObjectAction; key: string; before: IpvsDestination | null; after: IpvsDestination | null }): Change => ({
      action: c.action,
      key: destinationChangeKey(key, c.key),
      before: withService(c.before),
      after: withService(c.after),
      kind: 'ipvs-destination',
    });
    const equal = (a: IpvsDestination, b: IpvsDestination) => destinationAttrsEqual(a, b, thresholdsSeen);
    const observedDestinations = seen?.destinations ?? [];
    if (observedDestinations.length === 0) {
      // Nothing observed (a service the host lacks): every real server is a create, with no maps to build.
      for (const after of service.destinations)
        out.changes.push(make({ action: 'create', key: destinationKey(after), before: null, after }));
    } else if (sameEndpoints(service.destinations, observedDestinations)) {
      // What diffKeyed finds for lists of one set of keys in one order, without a key or a map per real server.
      service.destinations.forEach((after, i) => {
        const before = observedDestinations[i]!;
        if (!equal(before, after)) out.changes.push(make({ action: 'update', key: destinationKey(after), before, after }));
      });
    } else {
      diffKeyed(
        out,
        'ipvs-destination',
        keyed(service.destinations, destinationKey),
        keyed(observedDestinations, destinationKey),
        equal,
        () => 'delete',
        make,
      );
    }
    if (seen && ecmp.has(key)) reorderAfterNew(out, key, service, seen);
  }
  const steps: Change[] = [];
  for (const c of out.changes) {
    const step = drainStep(out, c);
    if (step !== null) steps.push(step);
  }
  out.changes = steps;
}

/** Equal tables have the same rules (by identity) in each chain. */
function nftEqual(a: NftTable, b: NftTable): boolean {
  const ids = (rules: string[]) => rules.map(nftRuleIdentity).sort().join('\n');
  return ids(a.rules) === ids(b.rules) && ids(a.output) === ids(b.output);
}

/** A config file without its comment and blank lines: what the daemon reading it acts on. */
function significant(content: string): string {
  return content
    .split('\n')
    .filter((l) => !/^\s*([!#;]|$)/.test(l))
    .join('\n');
}

/** True when a file change matters to the daemon (a comment-only edit needs no reload). */
function changesMeaning(before: ManagedFile | null, after: ManagedFile): boolean {
  return before === null || significant(before.content) !== significant(after.content);
}

function fileEqual(a: ManagedFile, b: ManagedFile): boolean {
  return a.content === b.content && a.mode === b.mode;
}

/** All changes for one host, unordered; objects lbctl does not own are listed as unmanaged. */
export function diffHost(
  desired: HostState,
  observed: HostState,
  owned: Owned,
  drain: DrainPolicy = { drainExpired: () => false },
): { changes: Change[]; unmanaged: Unmanaged[]; draining: Drain[] } {
  const out: Collector = { changes: [], unmanaged: [], owned, draining: [], drainExpired: drain.drainExpired };
  diffKeyed(
    out,
    'module',
    keyed(desired.modules, (m) => m),
    keyed(observed.modules, (m) => m),
    same,
    () => 'ignore',
    (c) => ({ ...c, kind: 'module' }),
  );
  const sysctlsObserved = new Map(Object.entries(observed.sysctls).filter(([k]) => k in desired.sysctls));
  const restored = new Set(desired.restoredSysctls);
  diffKeyed(
    out,
    'sysctl',
    new Map(Object.entries(desired.sysctls)),
    sysctlsObserved,
    same,
    () => 'ignore',
    (c) => ({ ...c, kind: 'sysctl', ...(restored.has(c.key) ? { restore: true as const } : {}) }),
  );
  diffKeyed(
    out,
    'link',
    keyed(desired.links, (l) => l.name),
    keyed(observed.links, (l) => l.name),
    same,
    () => 'ignore',
    (c) => ({ ...c, kind: 'link' }),
  );
  const addressFate = (key: string, a: Address): 'unmanaged' | 'ignore' =>
    VIP_DEVICES.has(a.device) && !LOOPBACK.has(key) ? 'unmanaged' : 'ignore';
  // A VRRP VIP is on the master and not on the backup, both as they should be: neither is drift.
  const floating = new Set((desired.floating ?? []).map(addressKey));
  const addressesObserved = keyed(
    observed.addresses.filter((a) => !floating.has(addressKey(a))),
    addressKey,
  );
  diffKeyed(out, 'address', keyed(desired.addresses, addressKey), addressesObserved, same, addressFate, (c) => ({ ...c, kind: 'address' }));
  diffKeyed(
    out,
    'route',
    keyed(desired.routes, routeKey),
    keyed(observed.routes, routeKey),
    same,
    () => 'ignore',
    (c) => ({ ...c, kind: 'route' }),
  );
  diffServices(out, desired.ipvs, observed.ipvs, !observed.unobserved?.includes('ipvs-thresholds'), new Set(desired.ecmpServices));
  diffKeyed(
    out,
    'ipvs-sync-daemon',
    keyed(desired.syncDaemons ?? [], (d) => d.role),
    keyed(observed.syncDaemons ?? [], (d) => d.role),
    same,
    () => 'unmanaged',
    (c) => ({ ...c, kind: 'ipvs-sync-daemon' }),
  );
  diffKeyed(
    out,
    'nft-table',
    keyed(desired.nft, (t) => `${t.family} ${t.name}`),
    keyed(observed.nft, (t) => `${t.family} ${t.name}`),
    nftEqual,
    () => 'delete',
    (c) => ({ ...c, kind: 'nft-table' }),
  );
  diffKeyed(
    out,
    'file',
    keyed(desired.files, (f) => f.path),
    keyed(observed.files, (f) => f.path),
    fileEqual,
    () => 'ignore',
    (c) => ({ ...c, kind: 'file' }),
  );
  const reloads = new Set(
    out.changes.flatMap((c) => (c.kind === 'file' && c.after?.reload && changesMeaning(c.before, c.after) ? [c.after.reload] : [])),
  );
  for (const r of desired.reloads) {
    if (reloads.has(r.name)) out.changes.push({ action: 'run', kind: 'reload', key: r.name, before: null, after: r });
  }
  return { changes: out.changes, unmanaged: out.unmanaged, draining: out.draining };
}
