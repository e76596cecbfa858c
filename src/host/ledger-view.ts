// What a host's ledger record makes of its plan, wherever the observed state comes from (a live probe or a capture):
// the sysctls to restore, the files lbctl owns, when a drain has lasted long enough.
import type { HostState } from '../model/state.js';
import { ownedKey, type DrainPolicy } from '../plan/diff.js';
import type { HostRecord } from './ledger.js';

/** How long a real server drains by default before it is deleted with connections left (apply --drain-timeout). */
export const DEFAULT_DRAIN_TIMEOUT_SEC = 300;

/** The desired state plus the sysctls to restore: values lbctl found before it set them, for keys no role wants now. */
export function withRestoredSysctls(desired: HostState, record: HostRecord | undefined): HostState {
  const restore = Object.entries(record?.sysctls ?? {}).filter(([key]) => !(key in desired.sysctls));
  if (restore.length === 0) return desired;
  return {
    ...desired,
    sysctls: { ...desired.sysctls, ...Object.fromEntries(restore) },
    restoredSysctls: restore.map(([key]) => key).sort(),
  };
}

const FILE_PREFIX = ownedKey('file', '');

/** The paths of the files lbctl owns (so a probe reads them even when no longer desired). */
export function ownedFiles(owned: ReadonlySet<string>): string[] {
  return [...owned].filter((k) => k.startsWith(FILE_PREFIX)).map((k) => k.slice(FILE_PREFIX.length));
}

/** Drains end by timeout once `timeoutMs` has passed since they began (as the record, read when asked, says): a 0 s timeout ends one at the next look. */
export function drainPolicy(record: () => HostRecord | undefined, timeoutMs: number, now: () => number = Date.now): DrainPolicy {
  return {
    drainExpired: (key) => {
      const since = record()?.draining?.[key];
      return since !== undefined && now() - Date.parse(since) >= timeoutMs;
    },
  };
}
