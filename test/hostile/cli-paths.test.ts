// Paths on the command line that are files, loops, FIFOs, /proc or /sys: each ends in a clear message and a
// documented exit code, never a stack trace (exit 70) or a hang.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lbctl-cli-paths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOPOLOGY = 'topologies/dr-web.yaml';
const FILE = join(tmp, 'a-file');
writeFileSync(FILE, 'x');

/** An --observed DIR whose DIR/director/ holds `make(path)` where ip-addr.json belongs. */
function observedWith(name: string, make: (path: string) => void): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'director'), { recursive: true });
  make(join(dir, 'director', 'ip-addr.json'));
  return dir;
}

const plan = (observed: string) => ['plan', TOPOLOGY, '--host', 'director', '--observed', observed];

/** [what, argv, exit code, text the message must hold]. */
const CASES: [string, string[], number, string][] = [
  ['render --out a file', ['render', TOPOLOGY, '--host', 'web1', '--out', FILE], EXIT.cannotWrite, 'exists and is not a directory'],
  [
    'render --out below a file',
    ['render', TOPOLOGY, '--host', 'web1', '--out', join(FILE, 'sub')],
    EXIT.cannotWrite,
    'exists and is not a directory',
  ],
  [
    'render --out /proc/x (mkdir -p used to spin)',
    ['render', TOPOLOGY, '--host', 'web1', '--out', '/proc/lbctl-test'],
    EXIT.cannotWrite,
    'does not allow creating it',
  ],
  [
    'render --out /sys/x',
    ['render', TOPOLOGY, '--host', 'web1', '--out', '/sys/lbctl-test'],
    EXIT.cannotWrite,
    'cannot create /sys/lbctl-test',
  ],
  [
    'capture --out a file (before probing)',
    ['capture', TOPOLOGY, '--host', 'web1', '--out', FILE],
    EXIT.cannotWrite,
    'exists and is not a directory',
  ],
  ['capture --root a file', ['capture', TOPOLOGY, '--host', 'web1', '--out', tmp, '--root', FILE], EXIT.usage, 'is not a directory'],
  ['apply --root a file', ['apply', TOPOLOGY, '--host', 'web1', '--yes', '--root', FILE], EXIT.usage, 'is not a directory'],
  ['apply --drain-timeout abc', ['apply', TOPOLOGY, '--host', 'web1', '--drain-timeout', 'abc'], EXIT.usage, 'whole number'],
  ['apply --drain-timeout -5', ['apply', TOPOLOGY, '--host', 'web1', '--drain-timeout=-5'], EXIT.usage, 'whole number'],
  ['apply --drain-timeout 1e9', ['apply', TOPOLOGY, '--host', 'web1', '--drain-timeout', '1e9'], EXIT.usage, 'whole number'],
  ['lab run --requests 0', ['lab', 'run', TOPOLOGY, '--requests', '0'], EXIT.usage, 'whole number'],
  ['plan --offline --observed', ['plan', TOPOLOGY, '--all', '--offline', '--observed', tmp], EXIT.usage, 'not several'],
  ['plan --observed a missing path', plan(join(tmp, 'nope')), EXIT.noInput, 'no such file or directory'],
  ['plan --observed a file', plan(FILE), EXIT.noInput, 'is not a directory'],
  ['a directory where a capture belongs', plan(observedWith('dir', (p) => mkdirSync(p))), EXIT.noInput, 'it is a directory'],
  [
    'a symlink loop where a capture belongs',
    plan(
      observedWith('loop', (p) => {
        symlinkSync(`${p}.b`, p);
        symlinkSync(p, `${p}.b`);
      }),
    ),
    EXIT.noInput,
    'too many symbolic links',
  ],
  ['a FIFO where a capture belongs', plan(observedWith('fifo', (p) => execFileSync('mkfifo', [p]))), EXIT.noInput, 'not a regular file'],
  ['validate a directory', ['validate', tmp], EXIT.noInput, 'it is a directory'],
];

describe('command-line paths that are not what they should be', () => {
  it.each(CASES)(
    '%s',
    async (_what, argv, code, text) => {
      const r = await runCli(...argv);
      expect(r.stderr).toContain(text);
      expect(r.stderr).not.toContain('internal error');
      expect(r.code).toBe(code);
    },
    10_000,
  );
});
