// `lbctl plan FILE`: what lbctl would change on each host, as a diff, shell commands or JSON.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import chalk, { Chalk } from 'chalk';
import { AGENT_STATE_CAPTURE, parseState } from '../../agent/state-file.js';
import { withAgentDecisions } from '../../agent/overrides.js';
import { readInputFile } from '../../host/read-input.js';
import { loadObservedDir } from '../../host/observed-dir.js';
import { desiredStates } from '../../model/desired.js';
import { emptyHostState } from '../../model/state.js';
import { makePlan, planHost } from '../../plan/plan.js';
import type { Plan } from '../../plan/types.js';
import { renderHuman, type Colors } from '../../render/human.js';
import { renderJson, renderJsonChunks } from '../../render/json.js';
import { renderShell } from '../../render/shell.js';
import { unifiedDiff } from '../../render/text-diff.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { requireTopology } from '../load.js';

/** Options of `lbctl plan`. */
export interface PlanOptions {
  host?: string[];
  all?: boolean;
  observed?: string;
  offline?: boolean;
  format: 'human' | 'shell' | 'json';
  expect?: string;
  detailedExitcode?: boolean;
}

function colorsFor(io: Io): Colors {
  const c = io.color ? chalk : new Chalk({ level: 0 });
  return { create: c.green, update: c.yellow, delete: c.red, dim: c.dim, bold: c.bold };
}

/** Renders a plan in the chosen format. */
export function renderPlan(plan: Plan, format: PlanOptions['format'], colors?: Colors): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'shell') return renderShell(plan);
  return renderHuman(plan, colors);
}

/** Computes the plan of the selected hosts from captured or empty observed state. */
export async function computePlan(file: string, opts: PlanOptions, io: Io): Promise<Plan> {
  if (!opts.all && !opts.host?.length) throw new CliError('choose the hosts to plan: --host NAME (repeatable) or --all', EXIT.usage);
  if (opts.observed === undefined && !opts.offline) {
    throw new CliError('choose where the current state comes from: --observed DIR (captured with `lbctl capture`) or --offline (empty)', EXIT.usage);
  }
  const topology = await requireTopology(file, io.err);
  const desired = desiredStates(topology);
  const names = opts.all ? [...desired.keys()] : opts.host ?? [];
  const unknown = names.filter((n) => !desired.has(n));
  if (unknown.length) throw new CliError(`unknown host(s) ${unknown.join(', ')}; the topology has: ${[...desired.keys()].join(', ')}`, EXIT.usage);
  const hosts = [];
  for (const name of names) {
    const agent = opts.observed === undefined ? null : parseState(await readFile(join(opts.observed, name, AGENT_STATE_CAPTURE), 'utf8').catch(() => undefined));
    const want = agent ? withAgentDecisions(desired.get(name)!, topology, agent.saved) : desired.get(name)!;
    const observed = opts.observed === undefined ? { state: emptyHostState(name), warnings: [] } : await loadObservedDir(opts.observed, name, want);
    hosts.push(planHost(want, observed.state, new Set(), observed.warnings));
  }
  return makePlan(hosts);
}

/** Writes many small chunks as few large writes (each write is a system call). */
function writeBuffered(io: Io, chunks: Iterable<string>): void {
  let buffer: string[] = [];
  let size = 0;
  for (const chunk of chunks) {
    buffer.push(chunk);
    size += chunk.length;
    if (size >= 1 << 20) {
      io.out(buffer.join(''));
      buffer = [];
      size = 0;
    }
  }
  io.out(buffer.join(''));
}

/** Runs plan; returns 0, or with --detailed-exitcode 2 when there are changes; 1 when --expect differs. */
export async function planCommand(file: string, opts: PlanOptions, io: Io): Promise<number> {
  const plan = await computePlan(file, opts, io);
  const changed = plan.hosts.some((h) => h.changes.length > 0);
  if (opts.expect !== undefined) {
    const actual = renderPlan(plan, opts.format === 'human' ? 'shell' : opts.format);
    const expected = await readInputFile(opts.expect, 'expected plan');
    const diff = unifiedDiff(`${opts.expect} (expected)`, 'plan (actual)', expected, actual);
    if (diff) {
      io.out(diff.endsWith('\n') ? diff : `${diff}\n`);
      io.err(`plan differs from ${opts.expect}\n`);
      return EXIT.invalid;
    }
    io.err(`plan matches ${opts.expect}\n`);
  } else if (opts.format === 'json') {
    writeBuffered(io, renderJsonChunks(plan));
  } else {
    io.out(renderPlan(plan, opts.format, colorsFor(io)));
  }
  return opts.detailedExitcode && changed ? EXIT.changes : EXIT.ok;
}
