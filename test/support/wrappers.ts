// Wrapper scripts put first in a child's PATH: they record what lbctl runs, or make one command fail.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quoteWord } from '../../src/drivers/sh/quote.js';

/** Writes each body as an executable /bin/sh script DIR/NAME; returns DIR. */
export function writeScripts(dir: string, scripts: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }
  return dir;
}

/** Scripts that append "NAME ARGS..." to `log` and exit 0, one per command name; returns DIR. */
export function recorders(dir: string, log: string, names: readonly string[]): string {
  return writeScripts(dir, Object.fromEntries(names.map((n) => [n, `printf '%s\\n' "${n} $*" >> ${quoteWord(log)}`])));
}

/** The absolute path of a tool as this process's PATH finds it (`command -v`). */
export function toolPath(tool: string): string {
  return execFileSync('/bin/sh', ['-c', `command -v ${quoteWord(tool)}`], { encoding: 'utf8' }).trim();
}

/**
 * An `ip` that runs the real one, except `ip addr add ...`, which prints an error and exits 2;
 * in `ip -batch -` such a line fails as ip does: the lines before it ran, "Command failed -:N", exit 1.
 */
export function failingIpAddrAdd(dir: string): string {
  const real = quoteWord(toolPath('ip'));
  const batch = [
    'if [ "$1" = -batch ]; then n=0',
    '  while IFS= read -r line; do n=$((n+1))',
    '    case "$line" in "addr add "*) echo "RTNETLINK answers: injected failure ($line)" >&2; echo "Command failed -:$n" >&2; exit 1;; esac',
    `    ${real} $line || exit 1`,
    '  done; exit 0',
    'fi',
  ].join('\n');
  return writeScripts(dir, {
    ip: `${batch}\nif [ "$1" = addr ] && [ "$2" = add ]; then echo "RTNETLINK answers: injected failure (ip $*)" >&2; exit 2; fi\nexec ${real} "$@"`,
  });
}
