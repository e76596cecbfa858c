// The ledger: what lbctl created on each host, so it deletes only its own objects.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ownedKey } from '../plan/diff.js';
import type { Change, Kind } from '../plan/types.js';

/** Where the ledger lives, below the apply root. */
export const LEDGER_PATH = '/var/lib/lbctl/state.json';

/** One host's record: the "kind key" of every object lbctl created, and when each drain began. */
export interface HostRecord {
  owned: string[];
  /** Destination change key → ISO time its weight was set to 0 for removal. */
  draining?: Record<string, string>;
}

/** The ledger's content, by host. */
export interface Ledger {
  version: 1;
  hosts: Record<string, HostRecord>;
}

/** Kinds lbctl can remove again, and so records when it creates them. */
const REMOVABLE = new Set<Kind>(['link', 'address', 'route', 'ipvs-service', 'ipvs-destination', 'nft-table', 'file']);

/** Reads the ledger (an empty one when there is none yet). */
export async function readLedger(root: string): Promise<Ledger> {
  try {
    return JSON.parse(await readFile(join(root, LEDGER_PATH), 'utf8')) as Ledger;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, hosts: {} };
    throw new Error(`cannot read the ledger ${join(root, LEDGER_PATH)}: ${(err as Error).message}`, { cause: err });
  }
}

/** Writes the ledger atomically (temp file + rename). */
export async function writeLedger(root: string, ledger: Ledger): Promise<void> {
  const path = join(root, LEDGER_PATH);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.new`, `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.new`, path);
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

/** The host's owned set after these changes were applied. */
export function recordChanges(owned: ReadonlySet<string>, applied: readonly Change[]): Set<string> {
  const next = new Set(owned);
  for (const c of applied) {
    if (!REMOVABLE.has(c.kind)) continue;
    if (c.action === 'create') next.add(ownedKey(c.kind, c.key));
    if (c.action === 'delete') next.delete(ownedKey(c.kind, c.key));
  }
  return next;
}
