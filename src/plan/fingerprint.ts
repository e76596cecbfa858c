// A plan's fingerprint: what must not have changed between `plan --out` and `apply PLANFILE`.
import { createHash } from 'node:crypto';
import type { HostPlan } from './types.js';

/** Counters that move with traffic: a plan made a second ago is still the same plan. */
const MOVING = new Set(['activeConns', 'inactiveConns']);

/** SHA-256 of the host plan's changes and unmanaged objects, counters left out. */
export function planFingerprint(plan: Pick<HostPlan, 'changes' | 'unmanaged'>): string {
  const text = JSON.stringify({ changes: plan.changes, unmanaged: plan.unmanaged }, (key, value: unknown) =>
    MOVING.has(key) ? undefined : value,
  );
  return createHash('sha256').update(text).digest('hex');
}
