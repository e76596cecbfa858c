// Wrapper scripts put first in a child's PATH: they record what lbctl runs, or make one command fail.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Single-quotes a word for /bin/sh. */
function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

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
  return writeScripts(dir, Object.fromEntries(names.map((n) => [n, `printf '%s\\n' "${n} $*" >> ${shQuote(log)}`])));
}

/** The absolute path of a tool as this process's PATH finds it (`command -v`). */
export function toolPath(tool: string): string {
  return execFileSync('/bin/sh', ['-c', `command -v ${shQuote(tool)}`], { encoding: 'utf8' }).trim();
}

/** An `ip` that runs the real one, except `ip addr add ...`, which prints an error and exits 2. */
export function failingIpAddrAdd(dir: string): string {
  const real = toolPath('ip');
  return writeScripts(dir, {
    ip: `if [ "$1" = addr ] && [ "$2" = add ]; then echo "RTNETLINK answers: injected failure (ip $*)" >&2; exit 2; fi\nexec ${shQuote(real)} "$@"`,
  });
}
