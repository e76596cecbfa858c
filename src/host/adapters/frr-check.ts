// Checks a routing config with FRR's own parser, `vtysh -C` (a dry run: it parses, applies nothing and exits 2 at a
// line it rejects), without reading or writing the host's FRR state. The content goes to vtysh through a pipe: the
// candidate (which may hold the vty password) is never written to disk, so an interrupted check leaves no copy.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** FRR's verdict on one config: ok when vtysh exited 0; output is what it printed (stdout and stderr, interleaved). */
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

/** True when `vtysh` can be started here. */
export async function vtyshAvailable(vtysh = 'vtysh'): Promise<boolean> {
  const result = await execa(vtysh, ['--help'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  return result.exitCode === 0;
}

/**
 * vtysh reads the config from /dev/stdin, which must be a pipe: Node gives children a socket, which /dev/stdin cannot
 * open (ENXIO), so `cat` relays it. The script is constant; vtysh and the folder are its arguments.
 */
const RELAY = 'cat | "$1" --config_dir "$2" -C -f /dev/stdin';

/**
 * Parses a config's `content` (frr.conf, zebra.conf, ospfd.conf, ...) with `vtysh --config_dir DIR -C`. DIR is a
 * fresh private folder with an empty vtysh.conf, so /etc/frr is neither read nor touched; it is removed afterwards.
 */
export async function checkFrrConfig(content: string, options: FrrCheckOptions = {}): Promise<FrrCheckResult> {
  const configDir = await mkdtemp(join(tmpdir(), 'lbctl-frr-check-'));
  try {
    await writeFile(join(configDir, 'vtysh.conf'), '');
    const child = execa('sh', ['-c', RELAY, 'sh', options.vtysh ?? 'vtysh', configDir], {
      reject: false,
      all: true,
      input: content,
      timeout: options.timeoutMs ?? 30_000,
    });
    const result = await child;
    const output = result.all ?? '';
    return {
      ok: result.exitCode === 0,
      output: result.failed && result.exitCode === undefined ? `${result.message}\n${output}`.trim() : output,
      exitCode: result.exitCode,
    };
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
}

/** Checks a file's planned content (before it replaces the old one); returns FRR's complaint, or null when it passes. */
export async function checkFrrContent(content: string): Promise<string | null> {
  const result = await checkFrrConfig(content);
  return result.ok ? null : result.output.trim() || `vtysh -C exited ${String(result.exitCode)}`;
}
