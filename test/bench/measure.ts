// Runs the real CLI as a child process: wall time (Node start-up included), CPU time and peak resident memory.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One run's figures. */
export interface RunResult {
  wallSeconds: number;
  /** User + system CPU time: unlike wall time, barely moved by other work on a shared machine. */
  cpuSeconds: number;
  peakMb: number;
  exitCode: number;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

function hasGnuTime(): boolean {
  try {
    accessSync(GNU_TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** How peak memory is measured: GNU time's %M, else a preloaded hook reading process.resourceUsage().maxRSS. */
export const RSS_SOURCE: 'gnu-time' | 'resource-usage' = hasGnuTime() ? 'gnu-time' : 'resource-usage';

/** A CommonJS preload that records the process's peak RSS (KiB) and CPU seconds to $LBCTL_BENCH_RSS at exit, as GNU time's "%M %U %S" would. */
const HOOK = `process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.LBCTL_BENCH_RSS, [u.maxRSS, u.userCPUTime / 1e6, u.systemCPUTime / 1e6].join(' ')); });\n`;

/**
 * Runs `node ARGS...` in `cwd`, stdout to `stdoutFile`; wall time is measured around the child
 * (start-up to exit), peak RSS is the child's maximum resident set size.
 */
export async function runNode(args: readonly string[], opts: { cwd: string; stdoutFile: string; scratch: string }): Promise<RunResult> {
  const rssFile = join(opts.scratch, 'rss.txt');
  await rm(rssFile, { force: true });
  let command: string;
  let argv: string[];
  const env = { ...process.env };
  if (RSS_SOURCE === 'gnu-time') {
    command = GNU_TIME;
    argv = ['-o', rssFile, '-f', '%M %U %S', process.execPath, ...args];
  } else {
    const hook = join(opts.scratch, 'rss-hook.cjs');
    await writeFile(hook, HOOK);
    env.LBCTL_BENCH_RSS = rssFile;
    command = process.execPath;
    argv = ['--require', hook, ...args];
  }
  const out = await open(opts.stdoutFile, 'w');
  try {
    let stderr = '';
    const started = process.hrtime.bigint();
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(command, argv, { cwd: opts.cwd, env, stdio: ['ignore', out.fd, 'pipe'] });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (s: string) => {
        stderr += s;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const recorded = (await readFile(rssFile, 'utf8')).trim().split('\n').pop() ?? '';
    const [kib = NaN, user = NaN, system = NaN] = recorded.split(' ').map(Number);
    if (!(kib > 0) || !Number.isFinite(user + system))
      throw new Error(`no peak RSS and CPU time recorded (${RSS_SOURCE}): ${JSON.stringify(recorded)}`);
    // Decimal megabytes (10^6 bytes), the stricter reading of "500 MB".
    return { wallSeconds, cpuSeconds: user + system, peakMb: (kib * 1024) / 1e6, exitCode, stderr };
  } finally {
    await out.close();
  }
}

/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
