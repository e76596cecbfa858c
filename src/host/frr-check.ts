// Checks a generated routing config with FRR's own parser, `vtysh -C` (a dry run: it parses, applies nothing and
// exits 2 at a line it rejects), without reading or writing the host's FRR state.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** FRR's verdict on one file: ok when vtysh exited 0; output is what it printed (stdout and stderr, interleaved). */
export interface FrrCheckResult {
  ok: boolean;
  output: string;
  exitCode: number | undefined;
}

/** Where vtysh is and how long a check may take. */
export interface FrrCheckOptions {
  vtysh?: string;
  timeoutMs?: number;
}

// Crash-log folder FRR's library may create per process (/var/tmp/frr/<program>.<pid>); vtysh 8.4 -C creates none
// (checked with strace), but if a version does, the one named after our own child is ours to remove.
const FRR_TMP = '/var/tmp/frr';

/** True when `vtysh` can be started here. */
export async function vtyshAvailable(vtysh = 'vtysh'): Promise<boolean> {
  const result = await execa(vtysh, ['--help'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  return result.exitCode === 0;
}

/**
 * Parses `file` (frr.conf, zebra.conf, ospfd.conf, ...) with `vtysh --config_dir DIR -C -f FILE`. DIR is a fresh
 * private folder with an empty vtysh.conf, so /etc/frr is neither read nor touched; it is removed afterwards.
 */
export async function checkFrrConfig(file: string, options: FrrCheckOptions = {}): Promise<FrrCheckResult> {
  const configDir = await mkdtemp(join(tmpdir(), 'lbctl-frr-check-'));
  let pid: number | undefined;
  try {
    await writeFile(join(configDir, 'vtysh.conf'), '');
    const child = execa(options.vtysh ?? 'vtysh', ['--config_dir', configDir, '-C', '-f', file], {
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: options.timeoutMs ?? 30_000,
    });
    pid = child.pid;
    const result = await child;
    const output = result.all ?? '';
    return {
      ok: result.exitCode === 0,
      output: result.failed && result.exitCode === undefined ? `${result.message}\n${output}`.trim() : output,
      exitCode: result.exitCode,
    };
  } finally {
    await rm(configDir, { recursive: true, force: true });
    if (pid !== undefined) await rm(join(FRR_TMP, `vtysh.${pid}`), { recursive: true, force: true });
  }
}

/** Checks a file's planned content (before it replaces the old one); returns FRR's complaint, or null when it passes. */
export async function checkFrrContent(name: string, content: string): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'lbctl-frr-candidate-'));
  try {
    const file = join(dir, name);
    await writeFile(file, content, { mode: 0o600 });
    const result = await checkFrrConfig(file);
    return result.ok ? null : result.output.trim() || `vtysh -C exited ${String(result.exitCode)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
