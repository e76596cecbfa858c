// Long-running lab processes (FRR instances, DNS servers): started detached with their output in a log file of
// the lab dir, waited for until ready, and stopped by PID only while the PID is still the lab's own process.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';

/**
 * The command prefix that runs a lab daemon inside `namespace` with private mounts and PIDs: the daemon and all its
 * children die with the instance, and what it mounts (its own /run, /etc/frr, ...) is seen by nobody else.
 */
export function privateInstance(namespace: string): string[] {
  return [
    'ip',
    'netns',
    'exec',
    namespace,
    'unshare',
    '--mount',
    '--pid',
    '--fork',
    '--mount-proc',
    '--kill-child',
    '--propagation',
    'private',
  ];
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process's command line (arguments joined by spaces), or null when it is gone (a zombie's is empty). */
export async function commandLine(pid: number): Promise<string | null> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return raw === '' ? null : raw.replace(/\0+$/, '').split('\0').join(' ');
}

/** True while the process exists and is no zombie (an empty command line alone does not say: it is so mid-exec). */
export async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== '' && state !== 'Z' && state !== 'X';
}

/** PIDs of the processes (other than this one) whose command line contains `mark`. */
export async function processesMarked(mark: string): Promise<number[]> {
  const pids = (await readdir('/proc'))
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid);
  const marked = await Promise.all(pids.map(async (pid) => ((await commandLine(pid))?.includes(mark) ? pid : null)));
  return marked.filter((pid): pid is number => pid !== null);
}

/** The last lines of a log, for an error message. */
export async function logTail(log: string, lines = 15): Promise<string> {
  const text = (await readFile(log, 'utf8').catch(() => '')).trim();
  return text === '' ? 'no output' : text.split('\n').slice(-lines).join('\n');
}

/**
 * Starts `argv` detached (it outlives this process) with stdout and stderr appended to `log`, and returns its PID.
 * An opened file stream is handed to the child as its descriptor (no pipe), so this process can exit meanwhile.
 */
export async function spawnDetached(argv: string[], log: string): Promise<number> {
  const out = createWriteStream(log, { flags: 'a' });
  await once(out, 'open');
  const [file = '', ...args] = argv;
  const child = execa(file, args, { detached: true, stdin: 'ignore', stdout: out, stderr: out, reject: false });
  child.unref();
  out.close();
  if (child.pid === undefined) throw new Error(`cannot start ${file}: ${(await child).message}`);
  return child.pid;
}

/** Polls `ready` every 20 ms until it is true (→ true), the process ends or `ms` pass (→ false). */
export async function waitReady(pid: number, ready: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (await ready()) return true;
    if (!(await running(pid))) return ready();
    await sleep(20);
  }
  return false;
}

/**
 * Sends `signal` to `pid` only when its command line still contains `mark` (PIDs are reused), waits up to
 * `ms` for it to end, then SIGKILLs it; true when it was running.
 */
export async function stopVerified(pid: number, mark: string, signal: NodeJS.Signals, ms = 2000): Promise<boolean> {
  const cmdline = await commandLine(pid);
  if (cmdline === null || !cmdline.includes(mark)) return false;
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // it ended on its own meanwhile
    }
  };
  send(signal);
  for (let waited = 0; waited < ms && (await running(pid)); waited += 20) await sleep(20);
  if (await running(pid)) send('SIGKILL');
  return true;
}
