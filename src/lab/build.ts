// `lab up`: checks, records, builds the namespaces, applies each host with lbctl itself, starts FRR, DNS and web servers, then lbctl agent on hosts with checks; all or nothing.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { namespaceHost } from '../host/adapters/namespace.js';
import { applyHost } from '../host/apply.js';
import { mapBounded } from '../host/pool.js';
import type { Runner } from '../host/port.js';
import { desiredStates } from '../desired/desired.js';
import type { HostState } from '../model/state.js';
import { applyClosing, applyFailure } from '../present/apply.js';
import type { Topology } from '../topology/types.js';
import { launchAgent } from './agent.js';
import { dnsLaunches, dnsReady, launchDns } from './dns.js';
import { labDown } from './down.js';
import { LabError } from './errors.js';
import { frrLaunches, frrReady, launchFrr } from './frr.js';
import { keepalivedHosts, keepalivedReady, launchKeepalived } from './keepalived.js';
import { labDir } from './names.js';
import type { LabHost, LabPlan } from './plan.js';
import { checkLabUp } from './preflight.js';
import { runStep } from './run-step.js';
import { startHttpd } from './services.js';
import { writeLabState, type LabState } from './state.js';
import { buildSteps } from './steps.js';

/** What `lab up` is asked to do. */
export interface UpRequest {
  topology: Topology;
  /** The topology file, absolute: apply reads it again inside each namespace. */
  file: string;
  plan: LabPlan;
  /** False with --no-apply: the network only, no apply and no web servers. */
  apply: boolean;
  /** The topology file as the operator wrote it, for messages (default: `file`). */
  shownFile?: string;
}

/**
 * How many hosts are applied at once: one per CPU (at least 2). Each apply runs in this process and mostly waits for
 * the commands it starts inside its namespace, whose start-up is what costs CPU (much of it in the emulated VM).
 */
const APPLY_PARALLEL = Math.max(2, availableParallelism());

/** Drains do not happen in a lab being built: no real server has connections yet. */
const LAB_DRAIN_TIMEOUT_SEC = 0;

/**
 * Applies a host inside its namespace, in this process, with files under the lab dir and no daemon reloads
 * (systemctl would act on this machine): the lab starts the routing hosts' FRR itself. Returns apply's last line.
 */
async function applyLabHost(plan: LabPlan, host: LabHost, desired: HostState, runner: Runner): Promise<string> {
  const target = namespaceHost(host.namespace, join(labDir(plan.lab), host.name), runner);
  const result = await applyHost(target, desired, {
    requireRoot: false,
    reload: false,
    drainTimeoutSec: LAB_DRAIN_TIMEOUT_SEC,
    what: `lab up ${plan.lab}`,
  });
  if (result.kind === 'failed') throw new LabError(`${host.name}: ${applyFailure(result).join('\n')}`, 'failed');
  if (result.kind === 'drift')
    throw new LabError(`${host.name}: applied, but probing again still finds ${result.remaining.changes.length} difference(s)`, 'failed');
  return applyClosing(host.name, result).at(-1) ?? 'applied';
}

/** Starts FRR on the routing hosts and keepalived on VRRP directors (all at once, recorded before waiting), then DNS servers on the dns hosts. */
async function startDaemons(state: LabState, t: Topology, log: (line: string) => void): Promise<void> {
  const lab = state.plan.lab;
  const frr: NonNullable<LabState['frr']> = (state.frr = []);
  for (const launch of await frrLaunches(t, lab, state.plan.hosts)) frr.push(await launchFrr(lab, launch));
  await writeLabState(state);
  await Promise.all(frr.map((f) => frrReady(lab, f)));
  for (const f of frr) log(`${f.host}: FRR (${f.flavour === 'frr' ? 'frr.conf' : 'quagga-style zebra.conf + ospfd.conf'}) pid ${f.pid}`);
  const vrrp: NonNullable<LabState['keepalived']> = (state.keepalived = []);
  for (const host of keepalivedHosts(state.plan.hosts, desiredStates(t))) vrrp.push(await launchKeepalived(lab, host));
  await writeLabState(state);
  await Promise.all(vrrp.map((k) => keepalivedReady(lab, k)));
  for (const k of vrrp) log(`${k.host}: keepalived (VRRP) pid ${k.pid}`);
  const dns: NonNullable<LabState['dns']> = (state.dns = []);
  for (const launch of dnsLaunches(t, state.plan.hosts)) {
    const d = await launchDns(lab, launch);
    dns.push(d);
    await writeLabState(state);
    await dnsReady(lab, d);
    log(`${d.host}: DNS server (dnsmasq) on ${d.addresses.join(', ')} port ${d.port}, pid ${d.pid}`);
  }
}

/** Starts lbctl agent on the hosts with checks, last: what they check (FRR, DNS and web servers) is up by then. */
async function startAgents(state: LabState, log: (line: string) => void): Promise<void> {
  const agents: NonNullable<LabState['agents']> = (state.agents = []);
  for (const host of state.plan.hosts.filter((h) => h.agent)) {
    const a = await launchAgent(
      state.plan.lab,
      state.file,
      host,
      state.frr?.find((f) => f.host === host.name),
    );
    agents.push(a);
    await writeLabState(state);
    log(`${a.host}: lbctl agent pid ${a.pid} (lbctl status --host ${a.host} --state-file ${a.stateFile})`);
  }
}

/**
 * Applies every host, APPLY_PARALLEL at a time (each in its own namespace and root, so their locks and files are
 * apart), logging in plan order; every apply has ended before the first failure is thrown.
 */
async function applyAll(state: LabState, t: Topology, runner: Runner, log: (line: string) => void): Promise<void> {
  const hosts = state.plan.hosts;
  const desired = desiredStates(t);
  const outcomes = await mapBounded(hosts, APPLY_PARALLEL, (host) => applyLabHost(state.plan, host, desired.get(host.name)!, runner));
  hosts.forEach((host, i) => {
    const o = outcomes[i];
    if (o?.status === 'fulfilled') log(`${host.name}: ${o.value}`);
  });
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

async function provision(state: LabState, t: Topology, runner: Runner, log: (line: string) => void): Promise<void> {
  await applyAll(state, t, runner, log);
  await startDaemons(state, t, log);
  for (const host of state.plan.hosts) {
    for (const port of host.httpPorts) {
      state.services.push(await startHttpd(state.plan.lab, host, port));
      await writeLabState(state);
      log(`${host.name}: web server on 0.0.0.0:${port}`);
    }
  }
  await startAgents(state, log);
}

/** Builds the lab; on any failure removes everything it created and throws LabError. */
export async function labUp(req: UpRequest, runner: Runner, log: (line: string) => void): Promise<LabState> {
  await checkLabUp(req.topology, req.plan, req.apply, req.shownFile ?? req.file, runner);
  const state: LabState = { file: req.file, plan: req.plan, services: [] };
  await writeLabState(state);
  try {
    for (const step of buildSteps(req.plan)) await runStep(runner, step);
    log(`built ${req.plan.namespaces.length} namespaces, ${req.plan.bridges.length} bridges, ${req.plan.links.length} veth pairs`);
    if (req.apply) await provision(state, req.topology, runner, log);
    return state;
  } catch (err) {
    const undone = await labDown(req.plan.lab, runner).then(
      () => 'everything it created was removed',
      (e: Error) => `removing what it created failed too (${e.message}): run \`lbctl lab down --name ${req.plan.lab}\``,
    );
    throw new LabError(`lab ${req.plan.lab} could not be built, ${undone}: ${err instanceof Error ? err.message : String(err)}`, 'failed', {
      cause: err,
    });
  }
}
