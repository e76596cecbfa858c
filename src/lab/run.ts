// `lab run FILE [--vm] [-- CMD...]`: a lab for the length of one command. Brings the lab up, runs CMD on the
// machine that holds the lab's namespaces (or the built-in traffic check), takes the lab down and returns CMD's or
// the check's status. With --vm all of that is one job of the IPVS VM (src/lab/vm/): a VM lives only as long as its
// job, so a lab in it cannot be handed back to the shell the way `lab up` does.
import { dirname } from 'node:path';
import { execa } from 'execa';
import type { Runner } from '../host/port.js';
import { labUp, type UpRequest } from './build.js';
import { DEFAULT_CHECK, labCheck } from './check.js';
import { labDown } from './down.js';
import { LabError } from './errors.js';
import { LBCTL } from './names.js';
import { trapSignals } from '../host/signals.js';
import { assertHostPackages } from './vm/host-packages.js';
import { runInVm } from './vm/runner.js';

/** What `lab run` is asked to do. */
export interface RunRequest extends UpRequest {
  /** The command to run on the machine of the lab; empty: the built-in traffic check. */
  command: string[];
  /** HTTP requests per service in the traffic check. */
  requests: number;
}

/** Where `lab run` writes: lines of its own, and the VM job's raw output. */
export interface RunIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Exit status of a command that could not be started (as a shell's). */
const NOT_STARTED = 127;

/**
 * Runs CMD in this machine's namespace with the terminal's stdio, LBCTL_LAB set (the default --name of lab
 * commands) and this lbctl and node first on PATH; its exit status.
 */
async function runCommand(command: string[], lab: string, io: RunIo): Promise<number> {
  const [file = 'true', ...args] = command;
  const path = [dirname(LBCTL), dirname(process.execPath), process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'].join(':');
  const r = await execa(file, args, { stdio: 'inherit', reject: false, env: { LBCTL_LAB: lab, PATH: path } });
  if (r.exitCode !== undefined) return r.exitCode;
  if (r.signal) return 128 + (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 } as Record<string, number>)[r.signal] ?? 1);
  io.err(`lbctl: cannot run ${file}: ${(r.cause as Error | undefined)?.message ?? r.message}\n`);
  return NOT_STARTED;
}

/** Builds the lab here, runs CMD or the check, removes the lab; the status of CMD or the check (1 when it failed). */
export async function labRun(req: RunRequest, runner: Runner, io: RunIo): Promise<number> {
  const lab = req.plan.lab;
  const log = (line: string) => io.out(`${line}\n`);
  const signals = trapSignals();
  try {
    const state = await labUp(req, runner, log);
    let status: number;
    try {
      if (signals.caught()) status = 130;
      else if (req.command.length > 0) {
        log(`lab ${lab} is up: running ${req.command.join(' ')}`);
        status = await runCommand(req.command, lab, io);
      } else {
        log(`lab ${lab} is up: traffic check`);
        status = (await labCheck(req.topology, state, runner, log, {
          ...DEFAULT_CHECK,
          requests: req.requests,
          stopped: () => signals.caught() !== null,
        }))
          ? 0
          : 1;
      }
    } finally {
      const down = await labDown(lab, runner).catch((err: Error) => {
        throw new LabError(`taking lab ${lab} down failed: ${err.message}: run \`lbctl lab down --name ${lab}\``, 'failed', { cause: err });
      });
      log(`lab ${lab} removed: ${down.namespaces.length} namespace(s), ${down.services} web server(s), ${down.daemons} daemon(s)`);
    }
    const sig = signals.caught();
    return sig && status === 0 ? (sig === 'SIGINT' ? 130 : 143) : status;
  } finally {
    signals.release();
  }
}

/** The command the VM job runs: this checkout's lbctl, `lab run` without --vm, same file, lab, check and CMD. */
export function vmJobCommand(req: Pick<RunRequest, 'file' | 'command' | 'requests'> & { lab: string }): string[] {
  return [
    process.execPath,
    LBCTL,
    'lab',
    'run',
    req.file,
    '--name',
    req.lab,
    '--requests',
    String(req.requests),
    ...(req.command.length > 0 ? ['--', ...req.command] : []),
  ];
}

/**
 * Runs `lab run` as one job of the IPVS VM (boot, build, CMD or check, down, power off), streaming the job's
 * output; its exit status. The lab exists only inside the VM: nothing is created on this machine.
 */
export async function labRunInVm(req: RunRequest, timeoutS: number, io: RunIo): Promise<number> {
  try {
    await assertHostPackages();
  } catch (err) {
    throw new LabError(`lab run --vm: ${(err as Error).message}`, 'unavailable');
  }
  io.err(`lbctl: booting the IPVS VM (qemu, TCG): lab ${req.plan.lab} lives only as long as this command\n`);
  const result = await runInVm({
    command: vmJobCommand({ ...req, lab: req.plan.lab }),
    timeoutMs: timeoutS * 1000,
    onOutput: (stream, chunk) => (stream === 'stdout' ? io.out(chunk) : stream === 'stderr' ? io.err(chunk) : undefined),
  }).catch((err: Error) => {
    throw new LabError(`lab run --vm: ${err.message}`, 'failed', { cause: err });
  });
  if (result.exitCode !== null) return result.exitCode;
  const why = result.timedOut ? `the VM timed out after ${timeoutS} s (raise --timeout)` : 'the guest kernel panicked';
  throw new LabError(
    `lab run --vm: ${why}; nothing is left behind (the lab lived in the VM). Guest console:\n${result.serialLog.slice(-2000)}`,
    'failed',
  );
}
