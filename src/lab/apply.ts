// `lab apply FILE`: a changed topology onto a running lab, through the rollout of `apply --all` (the same order and
// code), each host reached in its namespace with its files below the lab's directory, as `lab up` applied it. The
// lab's network stays as built: a topology that builds another one is refused. Web servers start first on hosts that
// become real servers, as a service runs on a machine before a director sends it traffic. Daemons the lab started
// (FRR, keepalived, DNS servers, agents) are not restarted, and the lab's agents' decisions are not read (apply
// --all reads them from their state files on live hosts): the topology as written is applied.
import { join } from 'node:path';
import { namespaceHost } from '../host/adapters/namespace.js';
import type { Runner } from '../host/port.js';
import type { RolloutHost } from '../host/rollout.js';
import { desiredStates } from '../desired/desired.js';
import { identityOf } from '../desired/identity.js';
import { rolesOf } from '../desired/roles.js';
import type { Topology } from '../topology/types.js';
import { LabError } from './errors.js';
import { labDir } from './names.js';
import type { LabHost, LabPlan } from './plan.js';
import { startHttpd } from './services.js';
import { readLabState, writeLabState } from './state.js';

/** A lab host's place in the network, without what runs on it. */
const placeOf = ({ httpPorts: _http, dnsPorts: _dns, agent: _agent, ...place }: LabHost) => place;

/** The network a lab plan builds (namespaces, bridges, links, addresses, routes), comparable as text. */
function networkOf(plan: LabPlan): string {
  return JSON.stringify([plan.namespaces, plan.bridges, plan.links, plan.hosts.map(placeOf), plan.router && placeOf(plan.router)]);
}

/**
 * The hosts `names` of `topology` (all when absent) as rollout hosts of the running lab that `plan` (the topology's)
 * names, once the lab's network is found to be the plan's and web servers run on every real server. Throws LabError
 * when the lab is not up or its network differs.
 */
export async function labRolloutHosts(
  topology: Topology,
  file: string,
  plan: LabPlan,
  names: readonly string[] | undefined,
  runner: Runner,
  log: (line: string) => void,
): Promise<RolloutHost[]> {
  if (process.getuid?.() !== 0)
    throw new LabError("lbctl lab apply runs commands in the lab's namespaces and must run as root: use sudo", 'not-root');
  const lab = plan.lab;
  const state = await readLabState(lab);
  if (state === null) throw new LabError(`lab ${lab} is not up: \`lbctl lab up ${file} --name ${lab}\` builds it`, 'usage');
  if (networkOf(plan) !== networkOf(state.plan))
    throw new LabError(
      `${file} builds another network than lab ${lab} has (hosts, interfaces, addresses or routes differ): lab apply changes what lbctl apply manages, not the lab's network; take the lab down and bring it up with ${file}`,
      'usage',
    );
  for (const host of plan.hosts) {
    for (const port of host.httpPorts.filter((p) => !state.services.some((s) => s.host === host.name && s.port === p))) {
      state.services.push(await startHttpd(lab, host, port));
      await writeLabState(state);
      log(`${host.name}: web server on 0.0.0.0:${port}`);
    }
  }
  const desired = desiredStates(topology);
  const roles = rolesOf(topology);
  return (names ?? plan.hosts.map((h) => h.name)).map((name) => ({
    name,
    host: namespaceHost(plan.hosts.find((h) => h.name === name)!.namespace, join(labDir(lab), name), runner),
    desired: desired.get(name)!,
    identity: identityOf(topology, name),
    roles: roles.get(name)!,
  }));
}
