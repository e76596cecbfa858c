// `lbctl lab plan|up|apply|run|down|status|exec`: a topology as network namespaces on this machine (the work is in src/lab).
import { resolve } from 'node:path';
import { localRunner } from '../../host/adapters/exec.js';
import { DEFAULT_DRAIN_TIMEOUT_SEC } from '../../host/ledger-view.js';
import { DEFAULT_READY_TIMEOUT_SEC } from '../../host/readiness.js';
import { labRolloutHosts } from '../../lab/apply.js';
import { labUp } from '../../lab/build.js';
import { labDown } from '../../lab/down.js';
import { LabError } from '../../lab/errors.js';
import { labExec } from '../../lab/exec.js';
import { labPlan, type LabPlan } from '../../lab/plan.js';
import { renderLabPlan } from '../../lab/render.js';
import { checkLabName } from '../../lab/names.js';
import { labRun, labRunInVm } from '../../lab/run.js';
import { labStatus } from '../../lab/status.js';
import type { Topology } from '../../topology/types.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { requireKnownHosts } from '../hosts.js';
import { requireTopology } from '../load.js';
import { runRollout, withEvents } from './rollout.js';

const EXIT_OF = { 'not-root': EXIT.noPermission, unavailable: EXIT.unavailable, usage: EXIT.usage, failed: EXIT.failed } as const;

/** Runs a lab action, turning LabError into the CLI's error with its exit code. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LabError) throw new CliError(err.message, EXIT_OF[err.reason]);
    throw err;
  }
}

/** The lab of a topology; a name that cannot be built is a usage error. */
function planOf(topology: Topology, file: string, name: string): LabPlan {
  try {
    return labPlan(topology, name);
  } catch (err) {
    throw new CliError(`${file}: cannot be built as lab ${name}: ${(err as Error).message}`, EXIT.usage);
  }
}

/** `lab plan FILE`: what `lab up` would build, as text or JSON (for a Vagrantfile). */
export async function labPlanCommand(file: string, opts: { name: string; format: 'human' | 'json' }, io: Io): Promise<number> {
  const plan = planOf(await requireTopology(file, io.err), file, opts.name);
  io.out(opts.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderLabPlan(plan));
  return EXIT.ok;
}

/** `lab up FILE`: builds the lab and (unless --no-apply) applies every host and starts the web servers. */
export async function labUpCommand(file: string, opts: { name: string; apply: boolean; vm?: boolean }, io: Io): Promise<number> {
  if (opts.vm) {
    throw new CliError(
      `lab up has no --vm: a VM lives only as long as its job, so it cannot hand the lab back to this shell; \`lbctl lab run ${file} --vm [-- CMD ARGS...]\` brings the lab up in the IPVS VM, runs the traffic check or CMD there and takes it down`,
      EXIT.usage,
    );
  }
  const topology = await requireTopology(file, io.err);
  const plan = planOf(topology, file, opts.name);
  await guarded(() =>
    labUp({ topology, file: resolve(file), shownFile: file, plan, apply: opts.apply }, localRunner, (line) => io.out(`${line}\n`)),
  );
  io.out(`lab ${plan.lab} is up: \`lbctl lab exec HOST --name ${plan.lab} -- CMD\` runs a command on a host\n`);
  return EXIT.ok;
}

/** Options of `lab apply`. */
export interface LabApplyOptions {
  name: string;
  host?: string[];
  parallel: number;
  events?: string;
  format: 'human' | 'json';
}

/** `lab apply FILE`: the rollout of `apply --all` onto the running lab's hosts (or the --host ones); its exit status. */
export async function labApplyCommand(file: string, opts: LabApplyOptions, io: Io): Promise<number> {
  const topology = await requireTopology(file, io.err);
  const plan = planOf(topology, file, opts.name);
  if (opts.host) requireKnownHosts(opts.host, topology.hosts);
  const rollout = { ...opts, drainTimeout: DEFAULT_DRAIN_TIMEOUT_SEC, readyTimeout: DEFAULT_READY_TIMEOUT_SEC };
  return withEvents(rollout, io, async (hear) => {
    const hosts = await guarded(() => labRolloutHosts(topology, file, plan, opts.host, localRunner, (line) => io.out(`${line}\n`)));
    const again = `lbctl lab apply ${file} --name ${plan.lab}${opts.host ? ` --host ${opts.host.join(',')}` : ''}`;
    return runRollout(hosts, rollout, again, io, hear, false);
  });
}

/** Options of `lab run`. */
export interface LabRunOptions {
  name: string;
  vm?: boolean;
  requests: number;
  timeout: number;
}

/**
 * `lab run FILE [-- CMD...]`: up (here, or in the IPVS VM with --vm), CMD or the traffic check, down; the exit
 * status of CMD or of the check (0 passed, 1 failed), or lbctl's own when the lab cannot be built.
 */
export async function labRunCommand(file: string, command: string[], opts: LabRunOptions, io: Io): Promise<number> {
  const topology = await requireTopology(file, io.err);
  const plan = planOf(topology, file, opts.name);
  const req = { topology, file: resolve(file), shownFile: file, plan, apply: true, command, requests: opts.requests };
  return guarded(() => (opts.vm ? labRunInVm(req, opts.timeout, io) : labRun(req, localRunner, io)));
}

/** `lab down`: removes the lab; succeeds when there is nothing to remove. */
export async function labDownCommand(opts: { name: string }, io: Io): Promise<number> {
  const report = await guarded(() => labDown(checkLabName(opts.name), localRunner));
  if (report.unreadableRecord !== undefined)
    io.err(`warning: the lab's record could not be read (${report.unreadableRecord}): removed by its namespace prefix and state dir\n`);
  io.out(
    report.namespaces.length === 0 && report.services === 0
      ? `lab ${opts.name}: nothing to remove\n`
      : `lab ${opts.name} removed: ${report.namespaces.length} namespace(s), ${report.services} web server(s)\n`,
  );
  return EXIT.ok;
}

/** `lab status`: addresses, routes, web servers and IPVS tables of the lab's hosts. */
export async function labStatusCommand(opts: { name: string }, io: Io): Promise<number> {
  io.out(await guarded(() => labStatus(checkLabName(opts.name), localRunner)));
  return EXIT.ok;
}

/** `lab exec HOST -- CMD...`: the command's own exit code. */
export async function labExecCommand(host: string, argv: string[], opts: { name: string }): Promise<number> {
  return guarded(() => labExec(checkLabName(opts.name), host, argv));
}
