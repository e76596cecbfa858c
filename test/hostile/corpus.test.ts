// The hostile-input corpus, run as whole lbctl processes: every case ends in a clear message with a documented exit
// code, never exit 70 or a stack trace, within bounded time (a timeout) and memory (a small V8 heap: a case that
// needs more aborts, and fails here).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';

const LBCTL = join(import.meta.dirname, '..', '..', 'bin', 'lbctl');
const TOPOLOGY = join(import.meta.dirname, '..', '..', 'topologies', 'dr-web.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'lbctl-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Heap limit of every run (MiB): a 16 MiB topology is refused before it is parsed, anything smaller fits. */
const HEAP_MB = 256;
const TIME_LIMIT_MS = 20_000;

/** A file in the scratch dir with the given content; returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

/** DIR with DIR/director/ip-addr.json made by `make`; returns DIR. */
function observed(name: string, make: (path: string) => void): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'director'), { recursive: true });
  make(join(dir, 'director', 'ip-addr.json'));
  return dir;
}

/** A valid topology of `services` FullNAT services (real servers by address: no warning; about 190 bytes each). */
function manyServices(services: number): string {
  const lines = [
    'apiVersion: lbctl/v1',
    'networks: { lan: 10.0.0.0/8 }',
    'hosts:',
    '  d: { interfaces: { eth0: { network: lan, address: 10.0.0.1/8 } } }',
    'services:',
  ];
  for (let i = 0; i < services; i++) {
    lines.push(
      `  s${i}:`,
      `    vip: 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
      '    port: 80',
      '    scheduler: wrr',
      '    method: fullnat',
      '    directors: [d]',
      `    realServers: [{ address: 10.1.${(i >> 8) & 255}.${i & 255}, port: 80, weight: 2 }]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const validate = (path: string) => ['validate', path];
const planFrom = (dir: string) => ['plan', TOPOLOGY, '--host', 'director', '--observed', dir];
const bomb = [
  'apiVersion: lbctl/v1',
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
  'hosts:',
  '  h: { roles: *i }',
].join('\n');
const deep = (n: number) => `apiVersion: lbctl/v1\nhosts: ${'['.repeat(n)}${']'.repeat(n)}\n`;
const typoAtEnd = manyServices(12_000).replace(/scheduler: wrr\n(?![\s\S]*scheduler: wrr)/, 'scheduler: wrrr\n');

/** [class, what, argv (built lazily: the setup runs in the test), exit code, text the message must hold]. */
type Case = [string, string, () => string[], number, string];

const CASES: Case[] = [
  ['topology', 'empty file', () => validate(file('empty.yaml', '')), EXIT.invalid, 'error['],
  ['topology', 'null document', () => validate(file('null.yaml', 'null\n')), EXIT.invalid, 'error['],
  ['topology', 'a list', () => validate(file('list.yaml', '[]\n')), EXIT.invalid, 'error['],
  ['topology', 'a number', () => validate(file('number.yaml', '42\n')), EXIT.invalid, 'error['],
  [
    'topology',
    'binary bytes',
    () => validate(file('binary.yaml', Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a]))),
    EXIT.invalid,
    'error[',
  ],
  [
    'topology',
    'ESC in a key',
    () => validate(file('esc.yaml', 'apiVersion: lbctl/v1\nhosts:\n  "a\\e[2Jb": {}\n')),
    EXIT.invalid,
    'error[name-invalid]',
  ],
  ['topology', 'alias bomb', () => validate(file('bomb.yaml', bomb)), EXIT.invalid, 'error[yaml-alias-expansion]'],
  [
    'topology',
    'unresolved alias',
    () => validate(file('unresolved.yaml', 'apiVersion: lbctl/v1\nhosts: *nope\n')),
    EXIT.invalid,
    'error[yaml-alias-unresolved]',
  ],
  [
    'topology',
    'alias to itself',
    () => validate(file('cycle.yaml', 'apiVersion: lbctl/v1\nhosts: &h { a: *h }\n')),
    EXIT.invalid,
    'error[',
  ],
  ['topology', '100,000 nested lists', () => validate(file('deep.yaml', deep(100_000))), EXIT.invalid, 'error[yaml-too-deep]'],
  [
    'topology',
    '100,000 nested mappings',
    () => validate(file('deep-map.yaml', `apiVersion: lbctl/v1\nhosts: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`)),
    EXIT.invalid,
    'error[yaml-too-deep]',
  ],
  [
    'topology',
    'duplicate keys',
    () => validate(file('dup.yaml', 'apiVersion: lbctl/v1\nhosts: {}\nhosts: {}\n')),
    EXIT.invalid,
    'error[duplicate-key]',
  ],
  [
    'topology',
    'host named __proto__',
    () => validate(file('proto.yaml', 'apiVersion: lbctl/v1\nhosts:\n  __proto__: {}\n')),
    EXIT.invalid,
    'error[name-invalid]',
  ],
  ['topology', '2 MB, one typo at the end', () => validate(file('typo.yaml', typoAtEnd)), EXIT.invalid, 'error[scheduler-unknown]'],
  [
    'topology',
    '2 MB, a syntax error at the end',
    () => validate(file('syntax.yaml', `${manyServices(12_000)}  broken: [\n`)),
    EXIT.invalid,
    'error[yaml-syntax]',
  ],
  [
    'topology',
    '17 MiB file',
    () => validate(file('huge.yaml', `apiVersion: lbctl/v1\n#${'x'.repeat(17 << 20)}\nhosts: {}\n`)),
    EXIT.noInput,
    'larger than 16 MiB',
  ],
  ['topology', 'an endless device', () => validate('/dev/zero'), EXIT.noInput, 'larger than 16 MiB'],
  ['topology', 'a directory', () => validate(tmp), EXIT.noInput, 'it is a directory'],
  ['topology', 'missing', () => validate(join(tmp, 'missing.yaml')), EXIT.noInput, 'no such file'],
  ['topology', 'ESC in the file name', () => validate(file('e\u001b[2J.yaml', 'x')), EXIT.invalid, 'e\\x1b[2J.yaml: invalid'],
  [
    'topology',
    'ESC in a missing file name',
    () => validate(join(tmp, 'm\u001b]0;x\u0007.yaml')),
    EXIT.noInput,
    'm\\x1b]0;x\\x07.yaml: no such file',
  ],
  ['captures', 'garbage', () => planFrom(observed('garbage', (p) => writeFileSync(p, 'garbage{'))), EXIT.badData, 'not JSON'],
  [
    'captures',
    'truncated JSON',
    () => planFrom(observed('truncated', (p) => writeFileSync(p, '[{"ifname":"lo","addr_i'))),
    EXIT.badData,
    'not JSON',
  ],
  ['captures', 'null', () => planFrom(observed('null', (p) => writeFileSync(p, 'null'))), EXIT.badData, 'ip -j addr'],
  [
    'captures',
    '200,000 nested lists',
    () => planFrom(observed('deep', (p) => writeFileSync(p, `${'['.repeat(200_000)}${']'.repeat(200_000)}`))),
    EXIT.badData,
    'ip -j addr',
  ],
  [
    'captures',
    'ESC and CR in a captured file',
    () =>
      planFrom(
        observed('esc', (p) => {
          mkdirSync(join(p, '..', 'files', 'etc', 'modules-load.d'), { recursive: true });
          writeFileSync(join(p, '..', 'files', 'etc', 'modules-load.d', 'lbctl.conf'), 'ip_vs\u001b[2J\r\n');
          writeFileSync(p, '[]');
        }),
      ),
    EXIT.ok,
    '-ip_vs\\x1b[2J\\r',
  ],
  ['captures', 'a directory', () => planFrom(observed('dir', (p) => mkdirSync(p))), EXIT.noInput, 'it is a directory'],
  ['captures', 'a FIFO', () => planFrom(observed('fifo', (p) => execFileSync('mkfifo', [p]))), EXIT.noInput, 'not a regular file'],
  [
    'captures',
    'a symlink loop',
    () =>
      planFrom(
        observed('loop', (p) => {
          symlinkSync(`${p}.b`, p);
          symlinkSync(p, `${p}.b`);
        }),
      ),
    EXIT.noInput,
    'too many symbolic links',
  ],
  [
    'captures',
    'a 300 MiB sparse capture',
    () => planFrom(observed('huge', (p) => execFileSync('truncate', ['-s', '300M', p]))),
    EXIT.noInput,
    'larger than 256 MiB',
  ],
  ['captures', 'a missing --observed', () => planFrom(join(tmp, 'no-captures')), EXIT.noInput, 'no such file'],
  [
    'paths',
    'render --out /proc/x',
    () => ['render', TOPOLOGY, '--host', 'web1', '--out', '/proc/lbctl-corpus'],
    EXIT.cannotWrite,
    'does not allow creating it',
  ],
  [
    'paths',
    'render --out a file',
    () => ['render', TOPOLOGY, '--host', 'web1', '--out', file('out-file', '')],
    EXIT.cannotWrite,
    'not a directory',
  ],
  [
    'paths',
    'capture --out a file',
    () => ['capture', TOPOLOGY, '--host', 'web1', '--out', file('capture-file', '')],
    EXIT.cannotWrite,
    'not a directory',
  ],
  [
    'paths',
    'apply --root a file',
    () => ['apply', TOPOLOGY, '--host', 'web1', '--yes', '--root', file('root-file', '')],
    EXIT.usage,
    'not a directory',
  ],
  ['paths', 'apply --drain-timeout abc', () => ['apply', TOPOLOGY, '--host', 'web1', '--drain-timeout', 'abc'], EXIT.usage, 'whole number'],
];

/** Runs lbctl as a child with a small heap and a timeout. */
function lbctl(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, LBCTL, ...args],
      { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: TIME_LIMIT_MS, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number; signal?: string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
          ms: Date.now() - start,
        });
      },
    );
  });
}

describe.concurrent('hostile-input corpus (whole lbctl processes)', () => {
  it.each(CASES)(
    '%s: %s',
    async (_class, _what, argv, code, text) => {
      const r = await lbctl(argv());
      expect(r.signal, `killed after ${r.ms} ms`).toBeNull();
      expect(`${r.stdout}${r.stderr}`).toContain(text);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toContain('internal error');
      expect(`${r.stdout}${r.stderr}`, 'an ESC reached the terminal').not.toContain('\u001b');
      expect(r.code, r.stderr).toBe(code);
    },
    TIME_LIMIT_MS + 5_000,
  );
});

describe('a reader that goes away', () => {
  it(
    '`lbctl plan ... | head -1`: stdout closed early ends the command quietly (no EPIPE trace)',
    async () => {
      const many = file('many.yaml', manyServices(2000));
      const child = spawn(process.execPath, [LBCTL, 'plan', many, '--all', '--offline', '--format', 'shell'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(EXIT.ok);
    },
    TIME_LIMIT_MS,
  );
});
