// `lbctl apply FILE --host NAME`: converge this machine (or a tree below --root) with the apply use case, asking
// first on a terminal, and turn its result into output and an exit code.
import { createInterface } from 'node:readline/promises';
import { withAgentOn } from '../../agent/overrides.js';
import { localHost } from '../../host/adapters/local.js';
import { applyHost } from '../../host/apply.js';
import { trapSignals } from '../../host/signals.js';
import { readInputFile } from '../../host/read-input.js';
import { desiredStates } from '../../desired/desired.js';
import { identityOf } from '../../desired/identity.js';
import { looksLikePlanFile } from '../../plan/plan-file.js';
import { makePlan } from '../../plan/plan.js';
import { applyClosing, applyFailure } from '../../present/apply.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { requireKnownHosts } from '../hosts.js';
import { requireTopology } from '../load.js';
import { refusal } from '../refusals.js';
import { planFileCommand, rolloutCommand, type RolloutCommandOptions } from './rollout.js';
import { renderPlan } from './plan.js';

/** Options of `lbctl apply`. */
export interface ApplyCommandOptions extends RolloutCommandOptions {
  /** With --inventory, the hosts to reach; without, the one host this machine is. */
  host?: string[];
  all?: boolean;
  yes?: boolean;
  root: string;
  pruneForeign?: boolean;
  observedOnlyCheck?: boolean;
  /** Block until drained real servers are deleted (or the drain times out). */
  wait?: boolean;
  /** Seconds a real server drains before it is deleted even with connections left. */
  drainTimeout: number;
  /** false with --no-reload: files are written, daemons are not told (labs, image builds). */
  reload?: boolean;
}

/** Asks on the terminal; off a terminal (a pipe, CI) there is no one to ask: --yes is required. */
async function confirm(): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('not on a terminal: pass --yes to apply without asking', EXIT.usage);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question('Apply these changes? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}

/**
 * Runs apply: of a plan file, across hosts (--all, or --host with --inventory), or on this machine as one --host.
 * Exit 0 converged (or nothing to do), 2 drift found by --observed-only-check, 3 failed and rolled back, 4 drift remains.
 */
export async function applyCommand(file: string, opts: ApplyCommandOptions, io: Io): Promise<number> {
  const text = await readInputFile(file, 'topology or plan file');
  if (looksLikePlanFile(text)) return planFileCommand(file, text, opts, io);
  const topology = await requireTopology(file, io.err);
  const states = desiredStates(topology);
  if (opts.all || opts.inventory !== undefined) {
    const names = opts.all ? [...states.keys()] : (opts.host ?? []);
    if (names.length === 0) throw new CliError('choose the hosts: --all, or --host NAME[,NAME...]', EXIT.usage);
    requireKnownHosts(names, states);
    return rolloutCommand(file, topology, names, opts, io);
  }
  if (opts.events !== undefined)
    throw new CliError('--events logs a rollout across hosts: use it with --all or --inventory INV', EXIT.usage);
  const [host, ...more] = opts.host ?? [];
  if (host === undefined) throw new CliError('choose the host: --host NAME (this machine), or --all with --inventory FILE', EXIT.usage);
  if (more.length > 0)
    throw new CliError(`this machine is one host, not ${opts.host!.join(', ')}: apply several hosts with --inventory FILE`, EXIT.usage);
  requireKnownHosts([host], states);
  const wanted = states.get(host)!;
  const target = localHost(opts.root);
  // What the agent decided at run time (a lowered weight, a withdrawn prefix) is not drift: apply leaves it.
  const desired = await withAgentOn(target, topology, wanted);
  const signals = trapSignals();
  try {
    const result = await applyHost(target, desired, {
      requireRoot: opts.root === '/',
      reload: opts.reload !== false,
      drainTimeoutSec: opts.drainTimeout,
      pruneForeign: opts.pruneForeign === true,
      checkOnly: opts.observedOnlyCheck === true,
      wait: opts.wait === true,
      what: `apply ${file} --host ${host}`,
      identity: identityOf(topology, host),
      show: (plan) => io.out(renderPlan(makePlan([plan]), 'human')),
      ...(opts.yes ? {} : { confirm }),
      interrupted: () => signals.caught() !== null,
    });
    for (const line of applyClosing(host, result)) io.out(`${line}\n`);
    switch (result.kind) {
      case 'pending':
        return EXIT.changes;
      case 'failed':
        for (const line of applyFailure(result)) io.err(`${line}\n`);
        return result.cause === 'interrupted' ? EXIT.interrupted : EXIT.failed;
      case 'drift':
        io.err('applied, but probing again still finds differences:\n');
        io.err(renderPlan(makePlan([result.remaining]), 'human'));
        return EXIT.drift;
      case 'converged':
        return result.ledgerError === undefined ? EXIT.ok : EXIT.drift;
      default:
        return EXIT.ok;
    }
  } catch (err) {
    throw refusal(err) ?? err;
  } finally {
    signals.release();
  }
}
