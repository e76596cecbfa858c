// The lbctl command line: options and subcommands only; the work happens in the modules they call.
import { readFileSync, statSync } from 'node:fs';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AgentCommandOptions } from './commands/agent.js';
import type { ApplyCommandOptions } from './commands/apply.js';
import type { PlanOptions } from './commands/plan.js';
import type { LabApplyOptions, LabRunOptions } from './commands/lab.js';
import type { IpvsadmImportOptions, KeepalivedImportOptions } from './commands/import.js';
import { Unreadable } from '../host/read-input.js';
import { Unwritable } from '../host/output-dir.js';
import { ParseError } from '../drivers/parse-error.js';
import { CliError, EXIT } from './exit-codes.js';
import { processIo, type Io } from './io.js';
import { DEFAULT_LAB } from '../lab/names.js';
import { visibleLines } from '../present/visible.js';
import { SHELLS, type Shell } from './shells.js';
import { hostList, oneHost } from './hosts.js';

/** A parser of option values that are whole numbers of at least `min` ("abc", "-5", "1.5" and "1e9" are usage errors). */
const wholeNumber =
  (min: number) =>
  (value: string): number => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min)) throw new InvalidArgumentError(`expected a whole number of at least ${min}, got "${value}"`);
    return n;
  };

/** `--root`: a directory, or a path that does not exist yet (apply creates it); never an existing file. */
const rootDir = (value: string): string => {
  const found = statSync(value, { throwIfNoEntry: false });
  if (found !== undefined && !found.isDirectory()) throw new InvalidArgumentError(`"${value}" is not a directory`);
  return value;
};

/** lbctl's version: package.json's, two folders up from src/cli/ and from dist/bundle/ alike. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The manual page's date: SOURCE_DATE_EPOCH's (reproducible package builds), else today's. */
function manDate(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return new Date(Number.isInteger(epoch) ? epoch * 1000 : Date.now()).toISOString().slice(0, 10);
}

/** Builds the command tree; each action loads its module on demand (start-up stays small) and stores its exit code in `result`. */
function program(io: Io, result: { code: number }): Command {
  const run = (fn: () => Promise<number> | number) => async () => {
    result.code = await fn();
  };
  /** `--format`, human by default; `text`, the old name of `human`, still works and says so. */
  const formatOption = (formats: string[], description = 'output format') =>
    new Option('--format <format>', description)
      .choices(formats)
      .default('human')
      .argParser((value: string) => {
        if (value === 'text') {
          io.err('lbctl: --format text is now called --format human\n');
          return 'human';
        }
        if (!formats.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${formats.join(', ')}.`);
        return value;
      });
  const cli = new Command('lbctl')
    .description('Control plane for Linux layer-4 load balancing: IPVS, real servers, ipip tunnels and OSPF anycast from one topology file')
    .version(packageVersion())
    .option('--no-color', 'no colour, even on a terminal (also: NO_COLOR=1; FORCE_COLOR=1 forces colour)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: (s) => io.err(visibleLines(s)) })
    .hook('preAction', () => {
      if (cli.opts<{ color: boolean }>().color === false) io.color = false;
    });

  cli
    .command('validate')
    .description('check a topology file; every problem is reported at file:line:col with its rule and a fix')
    .argument('<file>', 'topology file (YAML)')
    .addOption(formatOption(['human', 'json']))
    .action((file: string, opts: { format: 'human' | 'json' }) =>
      run(async () => (await import('./commands/validate.js')).validateCommand(file, opts, io))(),
    );

  cli
    .command('plan')
    .description(
      'show what would change on each host: probed live and read-only (this machine, or over SSH with --inventory), from captures, or from empty hosts',
    )
    .argument('<file>', 'topology file (YAML)')
    .option('--host <name>', 'plan this host (a comma list, or repeat the option)', hostList)
    .option('--all', 'plan every host of the topology')
    .option('--inventory <file>', 'how to reach each host (SSH or local) for a live plan')
    .option('--parallel <n>', 'live hosts probed at once', wholeNumber(1), 10)
    .option('--out <file>', 'save the live plan for `lbctl apply FILE` (which refuses hosts that changed since)')
    .option('--observed <dir>', 'current state from captured outputs: DIR/HOST/ as written by `lbctl capture`')
    .option('--offline', 'assume empty hosts (nothing configured yet)')
    .addOption(formatOption(['human', 'shell', 'json']))
    .option(
      '--expect <file>',
      'compare the plan (shell, or json with --format json) with this file; exit 1 and print a diff when they differ',
    )
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are')
    .action((file: string, opts: PlanOptions) => run(async () => (await import('./commands/plan.js')).planCommand(file, opts, io))());

  cli
    .command('render')
    .description('write the files a host would get (routing configs, sysctl.d, modules-load.d, ipvsadm rules) under a directory')
    .argument('<file>', 'topology file (YAML)')
    .requiredOption('--host <name>', 'the host', oneHost)
    .requiredOption('--out <dir>', 'where to write (files go to DIR/etc/...)')
    .action((file: string, opts: { host: string; out: string }) =>
      run(async () => (await import('./commands/render.js')).renderCommand(file, opts, io))(),
    );

  cli
    .command('apply')
    .description(
      'converge live hosts: probe, plan, confirm, execute (rolling back on failure), verify; FILE may be a plan saved by `plan --out`',
    )
    .argument('<file>', 'topology file (YAML), or a plan file')
    .option(
      '--host <name>',
      'the host this is (its name in the topology); with --inventory, the hosts to reach (a comma list, or repeat the option)',
      hostList,
    )
    .option('--all', 'every host, in an order that drops no connection (needs --inventory and --yes)')
    .option('--inventory <file>', 'how to reach each host (SSH or local)')
    .option('--parallel <n>', 'hosts applied at once within a step of the rollout', wholeNumber(1), 10)
    .option('--canary <host>', 'apply this host alone before the others of its step')
    .addOption(formatOption(['human', 'json'], 'rollout report format'))
    .option('--events <file>', "append the rollout's events to this file as JSON lines, as they happen")
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option(
      '--root <dir>',
      'write files, the ledger and the lock below this directory, and reload no daemons (tests, image builds)',
      rootDir,
      '/',
    )
    .option('--prune-foreign', 'also remove objects lbctl did not create (unmanaged ones)')
    .option('--observed-only-check', 'probe and plan only: exit 0 when converged, 2 when there are changes')
    .option('--wait', 'block until removed real servers have drained and are deleted')
    .option('--no-reload', 'write changed daemon configs but do not reload the daemons (labs and image builds start them)')
    .option('--drain-timeout <seconds>', 'delete a draining real server after this long even with connections left', wholeNumber(0), 300)
    .option(
      '--ready-timeout <seconds>',
      'with --all: stop when a new real server does not pass its check through the VIP path within this long',
      wholeNumber(0),
      60,
    )
    .action((file: string, opts: ApplyCommandOptions) =>
      run(async () => (await import('./commands/apply.js')).applyCommand(file, opts, io))(),
    );

  cli
    .command('agent')
    .description(
      'run health checks for a host and keep its kernel right between applies: weights of failing real servers, sorry servers, anycast announcements',
    )
    .argument('<file>', 'topology file (YAML); re-read on change and on SIGHUP')
    .requiredOption('--host <name>', 'the host this is', oneHost)
    .option('--state-file <path>', 'where the agent keeps its state (default /var/lib/lbctl/agent-HOST.json)')
    .option('--events <path>', 'append events here as JSON lines (default: stdout)')
    .option('--metrics <address:port>', 'serve Prometheus metrics here, e.g. 127.0.0.1:9469')
    .option('--vtysh <argv>', 'how to run vtysh (words separated by spaces)', 'vtysh')
    .option('--print-unit', 'print the systemd unit that runs this agent, and exit')
    .action((file: string, opts: AgentCommandOptions) =>
      run(async () => (await import('./commands/agent.js')).agentCommand(file, opts, io))(),
    );

  cli
    .command('status')
    .description(
      'what the agent on a host decided: every service, real server, check, health, last result and change; anycast announcements',
    )
    .requiredOption('--host <name>', 'the host', oneHost)
    .option('--state-file <path>', "the agent's state file (default /var/lib/lbctl/agent-HOST.json)")
    .addOption(formatOption(['human', 'json']))
    .action((opts: { host: string; stateFile?: string; format: 'human' | 'json' }) =>
      run(async () => (await import('./commands/agent.js')).statusCommand(opts, io))(),
    );

  cli
    .command('capture')
    .description("write a host's observed state (command outputs, managed files) as DIR/HOST/ for `plan --observed DIR`")
    .argument('<file>', 'topology file (YAML): names the files to capture')
    .requiredOption('--host <name>', 'the host this is', oneHost)
    .requiredOption('--out <dir>', 'where to write')
    .option('--root <dir>', 'read managed files below this directory', rootDir, '/')
    .action((file: string, opts: { host: string; out: string; root: string }) =>
      run(async () => (await import('./commands/capture.js')).captureCommand(file, opts, io))(),
    );

  const lab = cli
    .command('lab')
    .description(
      'build a topology as network namespaces on this machine (root): one per host, bridges for networks, a router for gateways no host has',
    );
  const labName = () =>
    new Option('--name <lab>', 'lab name (letters, digits, "_"): namespaces are lbl-LAB-HOST').env('LBCTL_LAB').default(DEFAULT_LAB);
  lab
    .command('plan')
    .description('show what `lab up` would build: namespaces, bridges, veth pairs, addresses, routes')
    .argument('<file>', 'topology file (YAML)')
    .addOption(labName())
    .addOption(formatOption(['human', 'json']))
    .action((file: string, opts: { name: string; format: 'human' | 'json' }) =>
      run(async () => (await import('./commands/lab.js')).labPlanCommand(file, opts, io))(),
    );
  lab
    .command('up')
    .description(
      'create the lab, apply every host with lbctl apply (files under /run/lbctl-lab/LAB/HOST) and start web servers on real servers',
    )
    .argument('<file>', 'topology file (YAML)')
    .addOption(labName())
    .option('--no-apply', 'build the network only: no apply, no web servers')
    .addOption(new Option('--vm', 'refused: a VM cannot hand a lab back to the shell; use `lab run FILE --vm`').hideHelp())
    .action((file: string, opts: { name: string; apply: boolean; vm?: boolean }) =>
      run(async () => (await import('./commands/lab.js')).labUpCommand(file, opts, io))(),
    );
  lab
    .command('run')
    .description(
      'bring the lab up (with --vm: inside the IPVS VM), run CMD on the machine holding it (default: the traffic check: DNS answers and which real server answers each service), take it down; exits with the status of CMD or the check',
    )
    .argument('<file>', 'topology file (YAML)')
    .argument('[command...]', 'the command, after --; it runs with LBCTL_LAB set (e.g. -- lbctl lab exec client -- curl -s 192.168.10.100)')
    .addOption(labName())
    .option('--vm', 'run it all as one job of the IPVS VM (qemu, src/lab/vm/): for directors on a kernel without IPVS')
    .option('--requests <n>', 'HTTP requests per service in the traffic check', wholeNumber(1), 12)
    .option('--timeout <seconds>', 'with --vm: wall-clock limit of the VM (boot, up, check or CMD, down)', wholeNumber(1), 600)
    .action((file: string, command: string[], opts: LabRunOptions) =>
      run(async () => (await import('./commands/lab.js')).labRunCommand(file, command, opts, io))(),
    );
  lab
    .command('apply')
    .description(
      'apply a changed topology to the running lab in the order of `apply --all` (the same rollout; each host in its namespace, files under /run/lbctl-lab/LAB/HOST); web servers start first on new real servers',
    )
    .argument('<file>', "topology file (YAML): the lab's network, with other services, real servers or settings")
    .addOption(labName())
    .option('--host <name>', 'only these hosts, in the order of the rollout (a comma list, or repeat the option)', hostList)
    .option('--parallel <n>', 'hosts applied at once within a step of the rollout', wholeNumber(1), 10)
    .option('--events <file>', "append the rollout's events to this file as JSON lines, as they happen")
    .addOption(formatOption(['human', 'json'], 'rollout report format'))
    .action((file: string, opts: LabApplyOptions) =>
      run(async () => (await import('./commands/lab.js')).labApplyCommand(file, opts, io))(),
    );
  lab
    .command('down')
    .description('remove the lab: web servers, veths, namespaces, state dir (also after a crash; nothing to remove is fine)')
    .addOption(labName())
    .action((opts: { name: string }) => run(async () => (await import('./commands/lab.js')).labDownCommand(opts, io))());
  lab
    .command('status')
    .description('addresses, routes, web servers and (with IPVS) ipvsadm -Ln of every lab host')
    .addOption(labName())
    .action((opts: { name: string }) => run(async () => (await import('./commands/lab.js')).labStatusCommand(opts, io))());
  lab
    .command('exec')
    .description("run a command in a lab host's namespace (HOST may also be gw or sw); exits with its code")
    .argument('<host>', 'topology host')
    .argument('<command...>', 'the command, after --')
    .addOption(labName())
    .action((host: string, command: string[], opts: { name: string }) =>
      run(async () => (await import('./commands/lab.js')).labExecCommand(host, command, opts))(),
    );

  const imports = cli
    .command('import')
    .description(
      'write a topology from what runs today (keepalived.conf, an ipvsadm-save dump); what lbctl cannot express is listed with its file:line',
    );
  imports
    .command('keepalived')
    .description("import keepalived.conf's LVS configuration: virtual servers, groups and real servers as keepalived would set them up")
    .argument('<file>', 'keepalived.conf (its include files are read too)')
    .option('--out <file>', 'write the topology here instead of stdout')
    .option('--config-id <id>', 'keepalived\'s config id (its -i; keepalived defaults to the host name): selects "@ID" lines')
    .action((file: string, opts: KeepalivedImportOptions) =>
      run(async () => (await import('./commands/import.js')).importKeepalivedCommand(file, opts, io))(),
    );
  imports
    .command('ipvsadm')
    .description('import an `ipvsadm-save` dump (or an ipvsadm-restore file): its services and real servers')
    .argument('<file>', 'the dump; without -n, service names are looked up in the services table')
    .option('--out <file>', 'write the topology here instead of stdout')
    .option('--services <file>', 'services(5) table for port names', '/etc/services')
    .action((file: string, opts: IpvsadmImportOptions) =>
      run(async () => (await import('./commands/import.js')).importIpvsadmCommand(file, opts, io))(),
    );

  cli
    .command('schema')
    .description('print the JSON Schema of topology files (for editors)')
    .action(() => run(async () => (await import('./commands/schema.js')).schemaCommand(io))());

  cli
    .command('completion')
    .description('print the completion script of a shell (bash: source it, or put it in /usr/share/bash-completion/completions/lbctl)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) =>
      run(async () => {
        const [{ completionScript }, { commandTree }] = await Promise.all([import('./completion.js'), import('./command-tree.js')]);
        io.out(completionScript(shell, commandTree(cli)));
        return EXIT.ok;
      })(),
    );

  cli
    .command('man')
    .description('print the lbctl(1) manual page (roff): lbctl man | man -l -')
    .action(() =>
      run(async () => {
        const [{ manPage }, { commandTree }] = await Promise.all([import('./man-page.js'), import('./command-tree.js')]);
        io.out(manPage(commandTree(cli), cli.version() ?? '', manDate()));
        return EXIT.ok;
      })(),
    );

  return cli;
}

/** `lbctl help lab plan` as `lbctl lab plan --help`: commander's help command reads one command name, not a path. */
function helpPath(argv: string[]): string[] {
  const [node = 'node', script = 'lbctl', first, ...rest] = argv;
  if (first !== 'help' || rest.length < 2 || rest.some((w) => w.startsWith('-'))) return argv;
  return [node, script, ...rest, '--help'];
}

/** Runs the CLI with the given argv; sets the process exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const result = { code: EXIT.ok as number };
  // Messages quote paths, names and what hosts reported: their control characters are shown as escapes, never sent raw.
  const say = (message: string) => io.err(`lbctl: ${visibleLines(message)}\n`);
  try {
    await program(io, result).parseAsync(helpPath(argv));
  } catch (err) {
    if (err instanceof CommanderError) {
      result.code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (err instanceof ParseError) {
      say(`cannot understand what the host reported, so nothing was planned or changed: ${err.message}`);
      result.code = EXIT.badData;
    } else if (err instanceof Unreadable) {
      say(err.message);
      result.code = EXIT.noInput;
    } else if (err instanceof Unwritable) {
      say(err.message);
      result.code = EXIT.cannotWrite;
    } else if (err instanceof CliError) {
      say(err.message);
      result.code = err.exitCode;
    } else {
      say(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      result.code = EXIT.internal;
    }
  }
  process.exitCode = result.code;
  return result.code;
}
