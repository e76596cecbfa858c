// A network namespace of this machine as a Host (lab hosts): its commands run inside the namespace, its files,
// lock and ledger live below the lab's directory for that host.
import { gatherOneByOne, type Host, type Runner } from '../port.js';
import { localRunner } from './exec.js';
import { localHost } from './local.js';

/** Runs every command inside `namespace` (ip netns exec). */
export function namespaceRunner(namespace: string, runner: Runner = localRunner): Runner {
  return { run: (argv, options) => runner.run(['ip', 'netns', 'exec', namespace, ...argv], options) };
}

/** The host living in `namespace`, with its files below `root`; daemons there are started by the lab, not reloaded. */
export function namespaceHost(namespace: string, root: string, runner: Runner = localRunner): Host {
  const inside = namespaceRunner(namespace, runner);
  const local = localHost(root, inside);
  const host: Host = {
    ...local,
    label: `namespace ${namespace}`,
    live: false,
    facts: async () => ({ ...(await local.facts()), hostname: namespace }),
    gather: (batch) => gatherOneByOne(host, batch),
  };
  return host;
}
