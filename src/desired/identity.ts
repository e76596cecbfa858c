// What identifies a topology host on the machine that claims to be it: its interface addresses, else its name.
import type { Topology } from '../topology/types.js';

/** The marks by which a probed machine is recognised as topology host `name`. */
export interface HostIdentity {
  name: string;
  /** Its interface addresses without prefix length, each with the interface the topology puts it on. */
  addresses: { device: string; address: string }[];
}

/** The identity of topology host `name`. */
export function identityOf(t: Topology, name: string): HostIdentity {
  const host = t.hosts.get(name);
  const addresses = (host?.interfaces ?? []).flatMap((i) =>
    i.addresses.map((cidr) => ({ device: i.name, address: cidr.split('/')[0] ?? cidr })),
  );
  return { name, addresses };
}
