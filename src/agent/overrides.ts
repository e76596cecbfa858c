// What the agent changed at run time, as data for plan and apply: a weight it lowered, a real server it removed, a
// sorry server it added, an anycast prefix it withdrew are the agent's decisions, not drift; apply must not undo them.
import { hostCidr } from '../topology/resolve.js';
import { destinationKey, serviceKey, sortedBy } from '../model/keys.js';
import type { HostState, IpvsService } from '../model/state.js';
import { watchFor } from '../health/watch.js';
import type { SavedState } from '../health/engine.js';
import type { Topology } from '../topology/types.js';
import type { Amendment } from '../host/apply.js';
import type { Host } from '../host/port.js';
import { defaultStateFile, parseState } from './state-file.js';

/** The desired state of `desired.host` with the agent's run-time decisions (from its state file) laid over it. */
export function withAgentDecisions(desired: HostState, topology: Topology, saved: SavedState): HostState {
  const watch = watchFor(topology, desired.host);
  const sorry = new Map(watch.pools.flatMap((p) => (p.sorry && saved.sorry.includes(p.key) ? [[p.key, p.sorry] as const] : [])));
  const ipvs = desired.ipvs.map((s): IpvsService => {
    const key = serviceKey(s.id);
    const overrides = saved.overrides[key] ?? {};
    const extra = sorry.get(key);
    if (Object.keys(overrides).length === 0 && !extra) return s;
    const destinations = s.destinations.flatMap((d) => {
      const k = destinationKey(d);
      if (!(k in overrides)) return [d];
      const weight = overrides[k];
      return weight === null || weight === undefined ? [] : [{ ...d, weight }];
    });
    return {
      ...s,
      destinations: sortedBy(
        extra && !destinations.some((d) => destinationKey(d) === destinationKey(extra)) ? [...destinations, extra] : destinations,
        destinationKey,
      ),
    };
  });
  const withdrawn = new Set(
    watch.anycast
      .filter((g) => saved.anycast[g.group]?.announced === false)
      .map((g) => `lo ${hostCidr(g.prefix.split('/')[0] ?? g.prefix)}`),
  );
  const addresses = desired.addresses.filter((a) => !withdrawn.has(`${a.device} ${a.cidr}`));
  return { ...desired, ipvs, addresses };
}

/** The agent's state file on host `name` and how its decisions amend the desired state (read with the ledger in a live plan). */
export function agentAmendment(topology: Topology, name: string): Amendment {
  return {
    path: defaultStateFile(name),
    amend: (desired, found) => {
      const agent = parseState(found?.content);
      return agent ? withAgentDecisions(desired, topology, agent.saved) : desired;
    },
  };
}

/** The desired state of `desired.host` with the decisions of the agent running on `host` (its state file, read there). */
export async function withAgentOn(host: Host, topology: Topology, desired: HostState): Promise<HostState> {
  const amendment = agentAmendment(topology, desired.host);
  return amendment.amend(desired, await host.read(amendment.path));
}
