// Completion scripts and the manual page are generated from the command tree: bash loads its script and completes
// commands, subcommands, options, choices and host names; so do fish's and zsh's (when installed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const REPO = join(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'lbctl-completion-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** True when `command` is installed. */
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** The script of `shell`, written to a file. */
async function script(shell: string): Promise<string> {
  const r = await runCli('completion', shell);
  expect(r.code).toBe(0);
  const path = join(tmp, `lbctl.${shell}`);
  writeFileSync(path, r.stdout);
  return path;
}

describe('lbctl completion', () => {
  it('bash: loads in a plain bash and completes each level of the command line', async () => {
    const path = await script('bash');
    /** What bash offers for `line` (the last word is the one being completed). */
    const complete = async (line: string) => {
      const r = await execa(
        'bash',
        [
          '-c',
          'source "$0"; read -ra COMP_WORDS <<<"$1"; [[ $1 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _lbctl; printf "%s\\n" "${COMPREPLY[@]}"',
          path,
          line,
        ],
        { cwd: REPO },
      );
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter((w) => w !== '');
    };
    expect(await complete('lbctl ')).toEqual(expect.arrayContaining(['validate', 'plan', 'lab', 'completion', '--version']));
    expect(await complete('lbctl la')).toEqual(['lab']);
    expect(await complete('lbctl lab ')).toEqual(expect.arrayContaining(['plan', 'up', 'run', 'apply', 'down', 'status', 'exec']));
    expect(await complete('lbctl plan --f')).toEqual(['--format']);
    expect(await complete('lbctl plan x.yaml --format ')).toEqual(['human', 'shell', 'json']);
    expect(await complete('lbctl plan topologies/dr-web.yaml --host ')).toEqual(['director', 'web1', 'web2', 'web3', 'client']);
    expect(await complete('lbctl plan topologies/dr-w')).toEqual(['topologies/dr-web.yaml']);
    expect(await complete('lbctl completion ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(await complete('lbctl help la')).toEqual(['lab']);
    expect(await complete('lbctl plan --parallel ')).toEqual([]);
  }, 30_000); // ten shells started one after another: seconds on a busy machine

  it.skipIf(!has('zsh'))(
    'zsh: parses, and offers commands, choices and hosts (zsh builtins stubbed to print)',
    async () => {
      const path = await script('zsh');
      await execa('zsh', ['-n', path]);
      const stubs = [
        'compdef() { :; }',
        'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }',
        '_describe() { local -a items=("${(@P)4}"); print -l -- "${items[@]%%:*}"; }',
        "_files() { print -- '<files>'; }",
        '_message() { :; }',
        'source "$1"',
        "words=(${=2}); [[ $2 == *' ' ]] && words+=(''); CURRENT=${#words}; PREFIX=${words[CURRENT]}",
        '_lbctl || :',
      ].join('\n');
      const complete = async (line: string) =>
        (await execa('zsh', ['-f', '-c', stubs, 'zsh', path, line], { cwd: REPO })).stdout.split('\n').filter((w) => w !== '');
      expect(await complete('lbctl lab ')).toEqual(['plan', 'up', 'run', 'apply', 'down', 'status', 'exec', 'help']);
      expect(await complete('lbctl plan x.yaml --format ')).toEqual(['human', 'shell', 'json']);
      expect(await complete('lbctl plan topologies/dr-web.yaml --host ')).toEqual(['director', 'web1', 'web2', 'web3', 'client']);
    },
    30_000,
  );

  it.skipIf(!has('fish'))(
    'fish: offers commands, choices, hosts and files',
    async () => {
      const path = await script('fish');
      const complete = async (line: string) =>
        (await execa('fish', ['--no-config', '-c', `source ${path}; complete -C '${line}'`], { cwd: REPO })).stdout
          .split('\n')
          .map((l) => l.split('\t')[0]);
      expect(await complete('lbctl la')).toEqual(['lab']);
      expect(await complete('lbctl lab ')).toEqual(['apply', 'down', 'exec', 'help', 'plan', 'run', 'status', 'up']);
      expect(await complete('lbctl plan x.yaml --format ')).toEqual(['human', 'json', 'shell']);
      expect(await complete('lbctl plan topologies/dr-web.yaml --host ')).toEqual(['client', 'director', 'web1', 'web2', 'web3']);
      expect(await complete('lbctl plan topologies/dr-w')).toEqual(['topologies/dr-web.yaml']);
    },
    30_000,
  );

  it('refuses an unknown shell, naming the ones it knows', async () => {
    const r = await runCli('completion', 'tcsh');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('bash, zsh, fish');
  });
});

describe('lbctl man', () => {
  it('writes a roff page with every command, its options and the accepted values', async () => {
    const r = await runCli('man');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\.TH LBCTL 1 "\d{4}-\d\d-\d\d" "lbctl \d+\.\d+\.\d+" "User Commands"$/m);
    expect(r.stdout).toContain('.SS lab plan\n');
    expect(r.stdout).toContain('.B \\-\\-detailed\\-exitcode\n');
    expect(r.stdout).toContain('output format: human, shell, json');
    // Only the macros the generator writes start a line: text that begins with a dot is escaped.
    expect(r.stdout).not.toMatch(/^\.(?!(TH|SH|SS|TP|B|BR|PP)( |$))/m);
  });

  it.skipIf(!has('man'))('renders with man', async () => {
    const page = join(tmp, 'lbctl.1');
    writeFileSync(page, (await runCli('man')).stdout);
    const r = await execa('man', ['-l', page], { env: { MANWIDTH: '100' } });
    expect(r.stdout).toContain('lbctl plan [options] <file>');
  });
});
