// `lbctl agent FILE --host NAME` (the daemon) and `lbctl status` (what it decided, read from its state file).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runAgent } from '../../agent/daemon.js';
import { defaultStateFile, parseState } from '../../agent/state-file.js';
import { agentUnit } from '../../agent/unit.js';
import { formatView } from '../../agent/view.js';
import { localHost } from '../../host/adapters/local.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { requireTopology } from '../load.js';

/** Options of `lbctl agent`. */
export interface AgentCommandOptions {
  host: string;
  stateFile?: string;
  events?: string;
  metrics?: string;
  vtysh?: string;
  printUnit?: boolean;
}

/** Runs the agent in the foreground until SIGTERM. */
export async function agentCommand(file: string, opts: AgentCommandOptions, io: Io): Promise<number> {
  if (opts.printUnit) {
    // The unit runs this very lbctl (as invoked) on this very file.
    io.out(agentUnit(resolve(file), opts.host, resolve(process.argv[1] ?? 'lbctl')));
    return EXIT.ok;
  }
  if (opts.metrics !== undefined && !/^(\[[0-9a-fA-F:]+\]|[0-9.]+):\d{1,5}$/.test(opts.metrics)) {
    throw new CliError(`--metrics ${opts.metrics}: write ADDRESS:PORT, e.g. 127.0.0.1:9469`, EXIT.usage);
  }
  const load = async () => {
    const t = await requireTopology(file, io.err);
    if (!t.hosts.has(opts.host)) throw new CliError(`host "${opts.host}" is not in ${file}`, EXIT.usage);
    return t;
  };
  await load();
  const host = localHost();
  return runAgent(host, {
    file,
    host: opts.host,
    stateFile: opts.stateFile ?? defaultStateFile(opts.host),
    ...(opts.events ? { events: opts.events } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    vtysh: opts.vtysh ? opts.vtysh.split(' ').filter((w) => w !== '') : ['vtysh'],
    load,
    ready: async () => {
      if (process.env.NOTIFY_SOCKET) await host.run(['systemd-notify', '--ready']);
    },
  });
}

/** Prints the agent's view from its state file (human or JSON). */
export async function statusCommand(opts: { host: string; stateFile?: string; format: 'human' | 'json' }, io: Io): Promise<number> {
  const path = opts.stateFile ?? defaultStateFile(opts.host);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const state = parseState(text);
  if (!state)
    throw new CliError(
      `${path}: no agent state (is \`lbctl agent\` running for host ${opts.host}? --state-file names another file)`,
      EXIT.usage,
    );
  io.out(opts.format === 'json' ? `${JSON.stringify(state.view, null, 2)}\n` : formatView(state.view, Date.now()));
  return EXIT.ok;
}
