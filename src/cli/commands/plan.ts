// `lbctl plan FILE`: what lbctl would change on each host, as a diff, shell commands or JSON.
import { writeOutputFile } from '../../host/output-dir.js';
import { readInputFile } from '../../host/read-input.js';
import { desiredStates } from '../../desired/desired.js';
import { emptyHostState, type HostState } from '../../model/state.js';
import { makePlan, planHost } from '../../plan/plan.js';
import type { HostPlan, Plan } from '../../plan/types.js';
import { PLAIN, renderHuman, type Colors } from '../../present/human.js';
import { renderJson, renderJsonChunks } from '../../present/json.js';
import { renderShell } from '../../present/shell.js';
import { unifiedDiff } from '../../present/text-diff.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { visible } from '../../present/visible.js';
import { requireKnownHosts } from '../hosts.js';
import { requireTopology } from '../load.js';
import type { Planned } from './plan-live.js';

/** Options of `lbctl plan`. */
export interface PlanOptions {
  host?: string[];
  all?: boolean;
  observed?: string;
  offline?: boolean;
  /** How to reach each host, for a live plan. */
  inventory?: string;
  /** Hosts probed at once in a live plan. */
  parallel: number;
  /** Save the plan to this file for `lbctl apply FILE`. */
  out?: string;
  format: 'human' | 'shell' | 'json';
  expect?: string;
  detailedExitcode?: boolean;
}

/** The plan's colours: chalk's on a terminal (loaded only then), none otherwise. */
async function colorsFor(io: Io): Promise<Colors> {
  if (!io.color) return PLAIN;
  // chalk judges the terminal itself; lbctl has decided already (FORCE_COLOR, --no-color), so at least basic colours.
  const { Chalk, default: auto } = await import('chalk');
  const c = auto.level > 0 ? auto : new Chalk({ level: 1 });
  return { create: c.green, update: c.yellow, delete: c.red, run: c.cyan, dim: c.dim, bold: c.bold };
}

/** Renders a plan in the chosen format. */
export function renderPlan(plan: Plan, format: PlanOptions['format'], colors?: Colors): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'shell') return renderShell(plan);
  return renderHuman(plan, colors);
}

/** The hosts the options select, checked against the topology. */
function selectedHosts(opts: PlanOptions, desired: Map<string, HostState>): string[] {
  const names = opts.all ? [...desired.keys()] : (opts.host ?? []);
  requireKnownHosts(names, desired);
  return names;
}

/** Computes the plan of the selected hosts from the live hosts, their captures, or empty hosts. */
async function computePlan(file: string, opts: PlanOptions, io: Io): Promise<Planned> {
  if (!opts.all && !opts.host?.length)
    throw new CliError('choose the hosts to plan: --host NAME[,NAME...] (repeatable) or --all', EXIT.usage);
  if (opts.observed !== undefined && opts.offline) {
    throw new CliError(
      'choose where the current state comes from: the live hosts (the default), --observed DIR (captured with `lbctl capture`) or --offline (empty), not several',
      EXIT.usage,
    );
  }
  if (opts.inventory !== undefined && (opts.observed !== undefined || opts.offline))
    throw new CliError('--inventory is for live plans: leave out --observed and --offline', EXIT.usage);
  if (opts.observed !== undefined) await (await import('../../host/observed-dir.js')).requireObservedDir(opts.observed);
  const topology = await requireTopology(file, io.err);
  const desired = desiredStates(topology);
  const names = selectedHosts(opts, desired);
  if (opts.offline) return { plan: makePlan(names.map((name) => planHost(desired.get(name)!, emptyHostState(name)))) };
  if (opts.observed === undefined) return (await import('./plan-live.js')).planLive(topology, desired, names, opts, io);
  const { planFromCapture } = await import('./plan-capture.js');
  const plans: HostPlan[] = [];
  for (const name of names) plans.push(await planFromCapture(opts.observed, topology, desired.get(name)!));
  return { plan: makePlan(plans) };
}

/** Writes many small chunks as fewer writes of 64 KiB (each write is a system call; larger strings outlive their use, see json.ts). */
function writeBuffered(io: Io, chunks: Iterable<string>): void {
  let buffer: string[] = [];
  let size = 0;
  for (const chunk of chunks) {
    buffer.push(chunk);
    size += chunk.length;
    if (size >= 64 * 1024) {
      io.out(buffer.join(''));
      buffer = [];
      size = 0;
    }
  }
  io.out(buffer.join(''));
}

/** Runs plan; returns 0, or with --detailed-exitcode 2 when there are changes; 1 when --expect differs. */
export async function planCommand(file: string, opts: PlanOptions, io: Io): Promise<number> {
  if (opts.out !== undefined && (opts.offline || opts.observed !== undefined))
    throw new CliError('--out saves a plan of live hosts for `lbctl apply FILE`: leave out --observed and --offline', EXIT.usage);
  const { plan, saved } = await computePlan(file, opts, io);
  if (opts.out !== undefined && saved) {
    // Loaded only here: the plan file's fingerprint needs node:crypto, which no other plan loads.
    const { makePlanFile } = await import('../../plan/plan-file.js');
    await writeOutputFile(opts.out, `${JSON.stringify(makePlanFile(file, saved))}\n`);
    io.err(`plan saved to ${visible(opts.out)}: apply it with \`lbctl apply ${visible(opts.out)}\`\n`);
  }
  const changed = plan.hosts.some((h) => h.changes.length > 0);
  if (opts.expect !== undefined) {
    const actual = renderPlan(plan, opts.format === 'human' ? 'shell' : opts.format);
    const expected = await readInputFile(opts.expect, 'expected plan');
    const diff = unifiedDiff(`${opts.expect} (expected)`, 'plan (actual)', expected, actual);
    if (diff) {
      io.out(diff.endsWith('\n') ? diff : `${diff}\n`);
      io.err(`plan differs from ${visible(opts.expect)}\n`);
      return EXIT.invalid;
    }
    io.err(`plan matches ${visible(opts.expect)}\n`);
  } else if (opts.format === 'json') {
    writeBuffered(io, renderJsonChunks(plan));
  } else {
    io.out(renderPlan(plan, opts.format, await colorsFor(io)));
  }
  return opts.detailedExitcode && changed ? EXIT.changes : EXIT.ok;
}
