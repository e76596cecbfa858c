// Runs one command as root in a throwaway qemu VM whose kernel has IPVS, with the host's / as root.
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { assertHostPackages } from './host-packages.js';
import { ensureInitramfs } from './initramfs.js';
import { renderJobScript } from './job-script.js';
import { ensureKernel, type Kernel } from './kernel.js';
import { collectText, listenForOutput, type OutputSocket } from './output-socket.js';
import { assetPath, vmCacheDir } from './paths.js';
import { qemuArgs, type Share } from './qemu-args.js';

/** Which guest stream a chunk of output comes from: the job's stdout/stderr or the serial console. */
export type VmStream = 'stdout' | 'stderr' | 'console';

/** A command to run in the VM. */
export interface VmJob {
  /** argv of the job; it runs as root with the host's paths (e.g. ['node', '/work/main/bin/lbctl', 'apply']). */
  command: readonly string[];
  /** Working directory in the guest (default: the caller's cwd). */
  cwd?: string;
  /** Extra environment (the job gets PATH from the caller, HOME=/root, plus these). */
  env?: Readonly<Record<string, string>>;
  /** Wall-clock limit for boot + job; qemu is killed by PID when it passes. */
  timeoutMs: number;
  /** Host directory (created if missing) mounted read-write at the same path in the guest, for the job's result files. */
  resultsDir?: string;
  /** Guest memory (default 1024). */
  memoryMb?: number;
  /** Receives output while the VM runs. */
  onOutput?: (stream: VmStream, chunk: string) => void;
  /** How long the guest may take to boot and start the job before it counts as hung (default BOOT_LIMIT_MS). */
  bootLimitMs?: number;
}

/** How the VM run ended: exactly one of exitCode !== null, timedOut or guestPanicked describes it. */
export interface VmResult {
  /** Boots it took: 2 when the first guest did not start the job within the boot limit and was booted again. */
  boots: number;
  /** The job's exit status, or null when it never finished (timeout, panic). */
  exitCode: number | null;
  timedOut: boolean;
  guestPanicked: boolean;
  /** Everything the guest printed on its serial console (kernel and init messages). */
  serialLog: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const DEFAULT_MEMORY_MB = 1024;
/**
 * A guest starts its job within seconds (about 3 s on a quiet machine): one that has not after this long hangs in its
 * boot, and is killed and booted once more rather than holding the job's whole budget.
 */
const BOOT_LIMIT_MS = 45_000;
/** The file guest-init.sh creates in the run share just before it runs the job. */
const STARTED_FILE = 'started';
const KERNEL_PANIC = /Kernel panic - not syncing/;
const STDOUT_SOCKET = 'stdout.sock';
const STDERR_SOCKET = 'stderr.sock';

/** A kernel and initramfs ready to boot. */
export interface PreparedVm {
  kernel: Kernel;
  initramfs: string;
}

/** Checks the host packages and prepares (downloads, unpacks, builds) the kernel and initramfs once into the cache. */
export async function prepareVm(cacheDir = vmCacheDir()): Promise<PreparedVm> {
  await assertHostPackages();
  const kernel = await ensureKernel(cacheDir);
  return { kernel, initramfs: await ensureInitramfs(kernel, cacheDir) };
}

function jobEnv(extra: VmJob['env']): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8', ...extra };
}

async function readExitCode(runDir: string): Promise<number | null> {
  const text = await readFile(join(runDir, 'exit-code'), 'utf8').catch(() => null);
  return text === null ? null : Number(text.trim());
}

function qemuCommandLine({ kernel, initramfs }: PreparedVm, job: VmJob, runDir: string): string[] {
  const shares: Share[] = [
    { tag: 'hostroot', path: '/', readonly: true },
    { tag: 'lbctlrun', path: runDir, readonly: false },
    ...(job.resultsDir ? [{ tag: 'results', path: job.resultsDir, readonly: false }] : []),
  ];
  return qemuArgs({
    vmlinux: kernel.vmlinux,
    initramfs,
    params: {
      init: assetPath('guest-init.sh'),
      modules: kernel.modulesDir,
      run: runDir,
      ...(job.resultsDir ? { results: job.resultsDir } : {}),
    },
    shares,
    memoryMb: job.memoryMb ?? DEFAULT_MEMORY_MB,
    jobStdout: join(runDir, STDOUT_SOCKET),
    jobStderr: join(runDir, STDERR_SOCKET),
  });
}

/** How a boot went: the guest started the job, qemu ended before it did (a panic, say), or neither within the limit. */
type BootOutcome = 'started' | 'ended' | 'hung';

/** Watches for the guest's started file every half second, until it appears, qemu ends, or `limitMs` passes. */
async function bootOutcome(startedFile: string, qemuEnded: Promise<unknown>, limitMs: number): Promise<BootOutcome> {
  let ended = false;
  void qemuEnded.then(() => (ended = true));
  const exists = () =>
    access(startedFile).then(
      () => true,
      () => false,
    );
  for (const limit = Date.now() + limitMs; Date.now() < limit; await new Promise((r) => setTimeout(r, 500))) {
    if (await exists()) return 'started';
    if (ended) return 'ended';
  }
  return (await exists()) ? 'started' : 'hung';
}

/** One boot: the job's result, or null when the guest had not started the job within its boot limit (qemu is killed). */
async function bootOnce(vm: PreparedVm, job: VmJob & { cwd: string }, started: number, boots: number): Promise<VmResult | null> {
  const runDir = await mkdtemp(join(tmpdir(), 'lbctl-vm-'));
  const forward = (stream: VmStream) => (chunk: string) => job.onOutput?.(stream, chunk);
  const sockets: OutputSocket[] = [];
  try {
    await writeFile(join(runDir, 'job.sh'), renderJobScript({ command: job.command, cwd: job.cwd, env: jobEnv(job.env) }));
    const stdout = await listenForOutput(join(runDir, STDOUT_SOCKET), forward('stdout'));
    sockets.push(stdout);
    const stderr = await listenForOutput(join(runDir, STDERR_SOCKET), forward('stderr'));
    sockets.push(stderr);
    const qemu = execa('qemu-system-x86_64', qemuCommandLine(vm, job, runDir), {
      stdin: 'ignore',
      buffer: false,
      reject: false,
      timeout: job.timeoutMs,
      killSignal: 'SIGKILL',
    });
    const serial = collectText(qemu.stdout, forward('console'));
    const qemuErrors = collectText(qemu.stderr);
    const bootLimitMs = job.bootLimitMs ?? BOOT_LIMIT_MS;
    const hung = (await bootOutcome(join(runDir, STARTED_FILE), qemu, bootLimitMs)) === 'hung';
    if (hung) qemu.kill('SIGKILL');
    const ended = await qemu;
    const serialLog = serial();
    sockets.forEach((socket) => socket.stop());
    if (hung) {
      job.onOutput?.('console', `\nlbctl VM runner: the guest did not start the job within ${bootLimitMs / 1000} s: qemu killed\n`);
      return null;
    }
    const result: VmResult = {
      boots,
      exitCode: await readExitCode(runDir),
      timedOut: ended.timedOut,
      guestPanicked: !ended.timedOut && ended.exitCode === 0 && KERNEL_PANIC.test(serialLog),
      serialLog,
      stdout: await stdout.text(),
      stderr: await stderr.text(),
      durationMs: Date.now() - started,
    };
    if (result.exitCode === null && !result.timedOut && !result.guestPanicked) {
      throw new Error(
        `lbctl VM runner: qemu ended (${ended.exitCode ?? ended.signal}) without the job's exit code\n${qemuErrors()}${serialLog.slice(-2000)}`,
      );
    }
    return result;
  } finally {
    sockets.forEach((socket) => socket.stop());
    await rm(runDir, { recursive: true, force: true });
  }
}

/**
 * Boots the cached kernel under qemu (TCG) and runs `job.command` as root inside; see VmResult. A guest that hangs in
 * its boot is booted once more, with the whole time limit again (so the run may take the boot limit longer).
 */
export async function runInVm(request: VmJob): Promise<VmResult> {
  const started = Date.now();
  const job = { ...request, cwd: resolve(request.cwd ?? '.'), ...(request.resultsDir ? { resultsDir: resolve(request.resultsDir) } : {}) };
  if (job.resultsDir) await mkdir(job.resultsDir, { recursive: true });
  const vm = await prepareVm();
  const first = await bootOnce(vm, job, started, 1);
  if (first !== null) return first;
  const second = await bootOnce(vm, job, started, 2);
  if (second !== null) return second;
  throw new Error(`lbctl VM runner: the guest did not start the job within ${(job.bootLimitMs ?? BOOT_LIMIT_MS) / 1000} s, twice`);
}
