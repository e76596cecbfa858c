// A network namespace of this machine as a Host (lab hosts): its commands run inside the namespace, its files,
// lock and ledger live below the lab's directory for that host. A probe's commands run in one `sh` there: each
// process started costs much in an emulated VM, and `ip netns exec` is one more per command.
import type { Host, Runner } from '../port.js';
import { runBatched } from './batch.js';
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
  const facts = async () => ({ ...(await local.facts()), hostname: namespace });
  return {
    ...local,
    label: `namespace ${namespace}`,
    live: false,
    facts,
    gather: async ({ commands = [], files = [], facts: withFacts = false }) => {
      const found = withFacts ? await facts() : undefined;
      const results = await runBatched(inside, commands);
      return { results, files: await Promise.all(files.map((p) => local.read(p))), ...(found ? { facts: found } : {}) };
    },
  };
}
