// README.md's command samples are a tested artefact: every ```console block is run and compared.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

/** One `$ lbctl ...` line of a console block and the output printed under it. */
interface Sample {
  line: number;
  argv: string[];
  expected: string;
}

const SHELL_SYNTAX = /["'`$|&;<>()\\*?]/;

/** The samples of every ```console block: a `$ ` line is a command, the lines up to the next one its output. */
function samples(markdown: string): Sample[] {
  const out: Sample[] = [];
  const lines = markdown.split('\n');
  let inConsole = false;
  let current: Sample | undefined;
  const close = () => {
    if (current) out.push({ ...current, expected: current.expected.replace(/\n$/, '') });
    current = undefined;
  };
  lines.forEach((text, i) => {
    if (text.startsWith('```')) {
      if (inConsole) close();
      inConsole = !inConsole && text === '```console';
      return;
    }
    if (!inConsole) return;
    if (text.startsWith('$ ')) {
      close();
      const command = text.slice(2);
      if (SHELL_SYNTAX.test(command)) throw new Error(`README.md:${i + 1}: a sample runs plain words only, not shell syntax: ${command}`);
      const [program, ...argv] = command.split(/\s+/);
      if (program !== 'lbctl') throw new Error(`README.md:${i + 1}: a sample runs lbctl, not ${program}`);
      current = { line: i + 1, argv, expected: '' };
    } else if (current) current.expected += `${text}\n`;
    else throw new Error(`README.md:${i + 1}: a console block starts with a "$ lbctl ..." line`);
  });
  return out;
}

const found = samples(readFileSync('README.md', 'utf8'));

describe('README.md samples', () => {
  it('has samples to check', () => {
    expect(found.length).toBeGreaterThanOrEqual(4);
  });

  it.each(found.map((s) => [`README.md:${s.line} lbctl ${s.argv.join(' ')}`, s] as const))('%s prints what README shows', async (_, s) => {
    const r = await runCli(...s.argv);
    expect(`${r.stdout}${r.stderr}`.replace(/\n$/, '')).toBe(s.expected);
  });
});
