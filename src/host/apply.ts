// The apply use case for one host, wherever it is: preflight, lock, plan against the ledger, show and confirm,
// converge (rolling back on failure or interruption), verify. The CLI and the lab both call it.
import type { HostIdentity } from '../desired/identity.js';
import type { HostState } from '../model/state.js';
import type { Change, HostPlan } from '../plan/types.js';
import { Convergence, type Outcome } from './converge.js';
import { DEFAULT_DRAIN_TIMEOUT_SEC } from './ledger-view.js';
import { LEDGER_PATH, ledgerOf, readLedger } from './ledger.js';
import type { FoundFile, Host } from './port.js';
import { preflight } from './preflight.js';
import { captureRequest } from './probe.js';
import { readAhead } from './read-ahead.js';

/** How to apply. */
export interface ApplyOptions {
  /** Refuse unless lbctl runs as root there (a live host; not below a --root). */
  requireRoot: boolean;
  /** Reload daemons whose files changed (false: labs and image builds start the daemons themselves). */
  reload: boolean;
  /** Seconds a real server drains before it is deleted even with connections left. */
  drainTimeoutSec: number;
  /** Treat unmanaged objects as lbctl's and remove them. */
  pruneForeign?: boolean;
  /** Probe and plan only. */
  checkOnly?: boolean;
  /** Block until drained real servers are deleted (or the drain times out). */
  wait?: boolean;
  /** What holds the lock, as its holder note says (e.g. "apply topo.yaml --host web1"). */
  what: string;
  /** Sees the plan before anything changes (the CLI prints it). */
  show?: (plan: HostPlan) => void;
  /** Asked when there are changes; false leaves the host as it is. Absent: go ahead. */
  confirm?: (plan: HostPlan) => Promise<boolean>;
  /** True once the operator asked to stop: no further change starts, what ran is rolled back. */
  interrupted?: () => boolean;
  /** Who the host must be (its topology addresses): checked on the probe before anything is planned. */
  identity?: HostIdentity;
  /** Changes left for a later step (a rollout's second pass): neither applied nor counted as drift. */
  later?: (c: Change) => boolean;
}

/** How an apply ended, with the plan it showed. */
export type ApplyResult = { plan: HostPlan } & ({ kind: 'unchanged' } | { kind: 'pending' } | { kind: 'declined' } | Outcome);

/** The plan without reloads, when the host's daemons are not to be told. */
function withoutReloads(plan: HostPlan): HostPlan {
  return { ...plan, changes: plan.changes.filter((c) => c.kind !== 'reload') };
}

/** Applies `desired` to `host`; throws Unprepared, LockHeld or LedgerUnreadable (having changed nothing). */
export async function applyHost(host: Host, desired: HostState, options: ApplyOptions): Promise<ApplyResult> {
  await preflight(desired, host, options.requireRoot);
  const release = await host.lock(options.what);
  try {
    const session = await Convergence.open(desired, host, options.drainTimeoutSec, options.identity);
    const planned = await session.plan(options.pruneForeign);
    // Daemons below a --root do not read these files: reloading them would touch the real host.
    const all = options.reload && host.live ? planned : withoutReloads(planned);
    const later = options.later;
    const plan = later ? { ...all, changes: all.changes.filter((c) => !later(c)) } : all;
    options.show?.(plan);
    if (plan.changes.length === 0) return { plan, kind: 'unchanged' };
    if (options.checkOnly) return { plan, kind: 'pending' };
    if (options.confirm && !(await options.confirm(plan))) return { plan, kind: 'declined' };
    return { plan, ...(await session.converge(plan, options.wait === true, options.interrupted, later)) };
  } finally {
    await release();
  }
}

/** A file on the host that amends its desired state (the agent's state file: its run-time decisions). */
export interface Amendment {
  path: string;
  /** The desired state given the file as found (null: there is none). */
  amend: (desired: HostState, found: FoundFile | null) => HostState;
}

/**
 * The plan apply would make on a live host, made read-only: no lock is taken, no module loaded, nothing written; the
 * host's ledger is read, so deletions of what lbctl owns show as they would in apply. One round trip reads the facts,
 * the ledger, `amendment`'s file and the probe a host without IPVS needs (see read-ahead.ts); a second one only for
 * what that could not know (a director's IPVS tables, sysctls or files the ledger adds). Throws NotThatHost when the
 * machine is not `identity`, LedgerUnreadable for a damaged ledger, Unreachable when it cannot be reached.
 */
export async function inspectHost(host: Host, desired: HostState, identity: HostIdentity, amendment?: Amendment): Promise<HostPlan> {
  const own = [LEDGER_PATH, ...(amendment ? [amendment.path] : [])];
  const probe = captureRequest(desired, [], false);
  const batch = { commands: probe.commands, files: [...own, ...probe.files] };
  const read = await host.gather({ facts: true, ...batch }).then(
    (r) => ({
      facts: r.facts!,
      ledger: ledgerOf(r.files[0] ?? null),
      amending: amendment ? (r.files[1] ?? null) : null,
      host: readAhead(host, { batch, results: r.results, files: r.files, facts: r.facts! }),
    }),
    // A failure in the batch: again one by one, so the error says which (unreachable host, unreadable ledger, ...).
    async () => ({
      facts: await host.facts(),
      ledger: await readLedger(host),
      amending: amendment ? await host.read(amendment.path) : null,
      host,
    }),
  );
  const want = amendment ? amendment.amend(desired, read.amending) : desired;
  return Convergence.withLedger(want, read.host, read.ledger, DEFAULT_DRAIN_TIMEOUT_SEC, identity).plan(false, read.facts);
}
