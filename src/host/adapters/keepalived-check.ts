// Checks a keepalived.conf with keepalived's own parser (`keepalived -t -f FILE`: parse, report, exit non-zero on an
// error, start nothing). It runs through the host's runner, so that the interfaces it names are looked up where
// keepalived will run (a lab host's namespace). The candidate goes to a private temporary folder, removed afterwards.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Runner } from '../port.js';

/** True when `keepalived` can be started here. */
export async function keepalivedAvailable(): Promise<boolean> {
  const result = await execa('keepalived', ['--version'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  return result.exitCode === 0;
}

/** Checks a keepalived.conf's planned content on the runner's host; returns keepalived's complaint, or null when it passes. */
export async function checkKeepalivedContent(content: string, runner: Runner): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'lbctl-keepalived-check-'));
  try {
    const file = join(dir, 'keepalived.conf');
    await writeFile(file, content, { mode: 0o600 });
    const result = await runner.run(['keepalived', '-t', '-f', file]);
    if (result.exitCode === 0) return null;
    return (
      `${result.stdout}${result.stderr}`.replaceAll(file, 'keepalived.conf').trim() || `keepalived -t exited ${String(result.exitCode)}`
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
