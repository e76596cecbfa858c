// `lbctl apply FILE --all --inventory INV` and `lbctl apply PLANFILE`: an ordered rollout across hosts, reported as
// it happens (stderr) and host by host at the end (stdout, human or JSON).
import { withAgentOn } from '../../agent/overrides.js';
import { inspectHost } from '../../host/apply.js';
import { DEFAULT_DRAIN_TIMEOUT_SEC } from '../../host/ledger-view.js';
import { DEFAULT_READY_TIMEOUT_SEC } from '../../host/readiness.js';
import { mapBounded } from '../../host/pool.js';
import { hostFor } from '../../host/reach.js';
import { openLog } from '../../host/output-dir.js';
import { rollout, type RolloutEvent, type RolloutHost } from '../../host/rollout.js';
import { trapSignals } from '../../host/signals.js';
import { desiredStates } from '../../desired/desired.js';
import { identityOf } from '../../desired/identity.js';
import { rolesOf } from '../../desired/roles.js';
import type { HostState } from '../../model/state.js';
import { planFingerprint } from '../../plan/fingerprint.js';
import { parsePlanFile } from '../../plan/plan-file.js';
import { eventJson, eventLine, rolloutJson, rolloutText } from '../../present/rollout.js';
import { visible } from '../../present/visible.js';
import type { Topology } from '../../topology/types.js';
import { CliError, EXIT } from '../exit-codes.js';
import { reachOf, requireInventory } from '../inventory.js';
import type { Io } from '../io.js';
import { refusal } from '../refusals.js';

/** Options of a rollout. */
export interface RolloutCommandOptions {
  inventory?: string;
  parallel: number;
  canary?: string;
  drainTimeout: number;
  readyTimeout: number;
  yes?: boolean;
  format: 'human' | 'json';
  /** Also append each event to this file as a JSON line. */
  events?: string;
}

/** Hears a rollout's events. */
export type EventSink = (e: RolloutEvent) => void;

/**
 * Runs `fn` with the rollout's event sink: stderr as lines for people, and with --events a file of JSON lines, opened
 * first (an unwritable file ends the command before any host is reached); a failed append later is said once.
 */
export async function withEvents(opts: RolloutCommandOptions, io: Io, fn: (hear: EventSink) => Promise<number>): Promise<number> {
  const log = opts.events === undefined ? undefined : openLog(opts.events);
  let logging = log !== undefined;
  try {
    return await fn((e) => {
      io.err(`${eventLine(e)}\n`);
      if (!logging) return;
      try {
        log!.append(eventJson(e));
      } catch (err) {
        logging = false;
        io.err(`lbctl: ${(err as Error).message}; the rollout goes on, its further events on stderr only\n`);
      }
    });
  } finally {
    log?.close();
  }
}

/**
 * Runs the rollout and reports it; exit 0 when every host converged, 3 when it stopped at a failure. `requireRoot`:
 * live hosts (false for lab hosts, whose files are below the lab's directory).
 */
export async function runRollout(
  hosts: RolloutHost[],
  opts: RolloutCommandOptions,
  again: string,
  io: Io,
  hear: EventSink,
  requireRoot = true,
): Promise<number> {
  if (opts.canary !== undefined && !hosts.some((h) => h.name === opts.canary))
    throw new CliError(`--canary ${opts.canary} is not one of the hosts rolled out`, EXIT.usage);
  const signals = trapSignals();
  try {
    const report = await rollout(hosts, {
      parallel: opts.parallel,
      ...(opts.canary ? { canary: opts.canary } : {}),
      drainTimeoutSec: opts.drainTimeout,
      readyTimeoutSec: opts.readyTimeout,
      requireRoot,
      onEvent: hear,
      interrupted: () => signals.caught() !== null,
    });
    io.out(opts.format === 'json' ? rolloutJson(report) : rolloutText(report, again));
    return report.ok ? EXIT.ok : signals.caught() !== null ? EXIT.interrupted : EXIT.failed;
  } finally {
    signals.release();
  }
}

/** `apply FILE --all --inventory INV` (or several --host): plans nothing ahead, converges every host in order. */
export async function rolloutCommand(
  file: string,
  topology: Topology,
  names: string[],
  opts: RolloutCommandOptions,
  io: Io,
): Promise<number> {
  if (!opts.yes)
    throw new CliError(
      `apply --all changes every host without asking: pass --yes (see what it would do first with \`lbctl plan ${file} --all --inventory INV\`)`,
      EXIT.usage,
    );
  if (opts.inventory === undefined) throw new CliError('apply --all needs --inventory FILE: how to reach each host', EXIT.usage);
  const inventory = opts.inventory;
  return withEvents(opts, io, async (hear) => {
    const desired = desiredStates(topology);
    const reach = reachOf(names, await requireInventory(inventory, [...desired.keys()], io.err));
    const roles = rolesOf(topology);
    const hosts: RolloutHost[] = [];
    for (const name of names) {
      const host = hostFor(name, reach.get(name)!);
      // The agent's run-time decisions on each host are not drift: the rollout leaves them (read before it starts).
      hosts.push({ name, host, desired: desired.get(name)!, identity: identityOf(topology, name), roles: roles.get(name)! });
    }
    const withAgents = await mapBounded(hosts, opts.parallel, (h) => withAgentOn(h.host, topology, h.desired));
    const refused = withAgents.find((r) => r.status === 'rejected');
    if (refused) throw refusal(refused.reason) ?? refused.reason;
    withAgents.forEach((r, i) => (hosts[i]!.desired = (r as PromiseFulfilledResult<HostState>).value));
    return runRollout(hosts, opts, `lbctl apply ${file} --all --inventory ${inventory} --yes`, io, hear);
  });
}

/** `apply PLANFILE`: refuses unless every host still plans exactly what was saved, then rolls that plan out. */
export async function planFileCommand(file: string, text: string, opts: RolloutCommandOptions, io: Io): Promise<number> {
  const saved = parsePlanFile(text);
  if (typeof saved === 'string') throw new CliError(`${visible(file)} is not a plan file lbctl can apply: ${saved}`, EXIT.badData);
  return withEvents(opts, io, async (hear) => {
    const hosts = saved.hosts.map((h) => ({
      name: h.plan.host,
      host: hostFor(h.plan.host, h.reach),
      desired: h.desired,
      identity: h.identity,
      roles: h.roles,
    }));
    const now = await mapBounded(hosts, opts.parallel, (h) => inspectHost(h.host, h.desired, h.identity));
    const refused = now.find((r) => r.status === 'rejected');
    if (refused) throw refusal(refused.reason) ?? refused.reason;
    const changed = saved.hosts
      .filter((h, i) => planFingerprint((now[i] as PromiseFulfilledResult<typeof h.plan>).value) !== h.fingerprint)
      .map((h) => h.plan.host);
    if (changed.length > 0) {
      throw new CliError(
        `${changed.join(', ')} changed since ${visible(file)} was made: nothing was applied; plan again (lbctl plan ${saved.topology} ... --out ${visible(file)})`,
        EXIT.invalid,
      );
    }
    return runRollout(
      hosts,
      {
        ...opts,
        yes: true,
        drainTimeout: opts.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT_SEC,
        readyTimeout: opts.readyTimeout ?? DEFAULT_READY_TIMEOUT_SEC,
      },
      `lbctl apply ${file}`,
      io,
      hear,
    );
  });
}
