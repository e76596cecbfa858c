// The ledger: what lbctl created on each host (so it deletes only its own objects), when each drain began, and the
// sysctl values it found before it first changed them (so they are restored when no role needs them any more).
// It lives on the host and is read and written through the Host port.
import { ownedKey } from '../plan/diff.js';
import type { Change, Kind } from '../plan/types.js';
import type { FoundFile, Host } from './port.js';

/** Where the ledger lives on the host (below the apply root). */
export const LEDGER_PATH = '/var/lib/lbctl/state.json';

/** One host's record. */
export interface HostRecord {
  /** The "kind key" of every object lbctl created. */
  owned: string[];
  /** Destination change key → ISO time its weight was set to 0 for removal. */
  draining?: Record<string, string>;
  /** Sysctl key → the value it had before lbctl first set it. */
  sysctls?: Record<string, string>;
}

/** The ledger's content, by host. */
export interface Ledger {
  version: 1;
  hosts: Record<string, HostRecord>;
}

/** The ledger exists but cannot be trusted: lbctl changes nothing until the operator decides. */
export class LedgerUnreadable extends Error {}

/** Kinds lbctl can remove again, and so records when it creates them. */
const REMOVABLE = new Set<Kind>(['link', 'address', 'route', 'ipvs-service', 'ipvs-destination', 'ipvs-sync-daemon', 'nft-table', 'file']);

const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/** Why a parsed ledger does not have the ledger's shape, or null when it does. */
function shapeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const { version, hosts } = value as Partial<Ledger>;
  if (version !== 1) return `its version is ${JSON.stringify(version)}, this lbctl reads version 1`;
  if (typeof hosts !== 'object' || hosts === null || Array.isArray(hosts)) return '"hosts" is not an object';
  for (const [name, record] of Object.entries(hosts as Record<string, unknown>)) {
    const r = record as Partial<HostRecord> | null;
    if (typeof r !== 'object' || r === null || !Array.isArray(r.owned) || !r.owned.every((k) => typeof k === 'string'))
      return `host ${JSON.stringify(name)} has no list of owned objects`;
    if (r.draining !== undefined && !isStringMap(r.draining)) return `host ${JSON.stringify(name)}: "draining" is not a map of times`;
    if (r.sysctls !== undefined && !isStringMap(r.sysctls)) return `host ${JSON.stringify(name)}: "sysctls" is not a map of values`;
  }
  return null;
}

/** Parses the ledger's text; LedgerUnreadable (saying how to recover) when it is not a ledger. */
export function parseLedger(text: string, where: string): Ledger {
  let value: unknown;
  let problem: string | null;
  try {
    value = JSON.parse(text);
    problem = shapeProblem(value);
  } catch (err) {
    problem = text.trim() === '' ? 'it is empty' : `it is not JSON (${(err as Error).message})`;
  }
  if (problem === null) return value as Ledger;
  throw new LedgerUnreadable(
    `the ledger ${where} cannot be read: ${problem}. It records what lbctl created on this host, so nothing was changed. ` +
      `Restore it from ${where}.lbctl-backup (the version before the last write), or move it away to start afresh ` +
      `(lbctl then treats what it created before as foreign and leaves it alone; --prune-foreign removes it)`,
  );
}

/** The ledger in the file found at LEDGER_PATH (an empty one when there is none yet). */
export function ledgerOf(found: FoundFile | null): Ledger {
  return found === null ? { version: 1, hosts: {} } : parseLedger(found.content, LEDGER_PATH);
}

/** Reads the host's ledger (an empty one when there is none yet). */
export async function readLedger(host: Host): Promise<Ledger> {
  let found;
  try {
    found = await host.read(LEDGER_PATH);
  } catch (err) {
    throw new LedgerUnreadable(
      `the ledger ${LEDGER_PATH} on ${host.label} cannot be read: ${(err as Error).message}; nothing was changed`,
      { cause: err },
    );
  }
  return ledgerOf(found);
}

/** Writes the host's ledger atomically, keeping the previous version as its backup. */
export async function writeLedger(host: Host, ledger: Ledger): Promise<void> {
  await host.write({ path: LEDGER_PATH, mode: 0o600, content: `${JSON.stringify(ledger, null, 2)}\n` });
}

/** The drains in progress after these changes were applied (started now, or ended by deletion). */
export function recordDrains(draining: Readonly<Record<string, string>>, applied: readonly Change[], now: Date): Record<string, string> {
  const next = { ...draining };
  for (const c of applied) {
    if (c.kind !== 'ipvs-destination') continue;
    if (c.drain) next[c.key] ??= now.toISOString();
    else delete next[c.key];
  }
  return next;
}

/**
 * True when the change brings an object into being. A link brought up from down counts: the kernel makes tunl0,
 * down, when ipip loads; up is lbctl's doing, whether the probe ran before or after the module came.
 */
function creates(c: Change): boolean {
  return c.action === 'create' || (c.kind === 'link' && c.before?.up === false && c.after?.up === true);
}

/** The owned set once these changes are applied (deletions drop their object, creations add it). */
export function recordChanges(owned: ReadonlySet<string>, applied: readonly Change[]): Set<string> {
  const next = new Set(owned);
  for (const c of applied) {
    if (!REMOVABLE.has(c.kind)) continue;
    if (creates(c)) next.add(ownedKey(c.kind, c.key));
    if (c.action === 'delete') next.delete(ownedKey(c.kind, c.key));
  }
  return next;
}

/** The owned set while these changes may be under way: creations are claimed before they run, nothing is dropped. */
export function claimChanges(owned: ReadonlySet<string>, pending: readonly Change[]): Set<string> {
  return recordChanges(owned, pending.filter(creates));
}

/** Sysctl values seen before lbctl changes them, added to those already recorded (the first value seen wins). */
export function recordSysctlOrigins(origins: Readonly<Record<string, string>>, pending: readonly Change[]): Record<string, string> {
  const next = { ...origins };
  for (const c of pending) if (c.kind === 'sysctl' && c.before !== null) next[c.key] ??= c.before;
  return next;
}
