// src/render is the pure core: no processes, no files, no process.* (ARCHITECTURE.md). This test holds that line.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RENDER = join(import.meta.dirname, '../../src/render');
const FORBIDDEN: ReadonlyArray<readonly [string, RegExp]> = [
  ['execa', /from\s+['"]execa['"]|import\(\s*['"]execa['"]/],
  ['fs', /['"](node:)?fs(\/promises)?['"]/],
  ['child_process', /['"](node:)?child_process['"]/],
  ['process.*', /\bprocess\s*\./],
];

describe('src/render is pure', async () => {
  const files = (await readdir(RENDER)).filter((f) => f.endsWith('.ts'));

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s imports no execa, fs, child_process and uses no process.*', async (file) => {
    const source = await readFile(join(RENDER, file), 'utf8');
    const found = FORBIDDEN.filter(([, pattern]) => pattern.test(source)).map(([name]) => name);
    expect(found).toEqual([]);
  });

  it('the patterns catch what they are for', () => {
    const offending = "import { execa } from 'execa';\nimport fs from 'node:fs';\nimport cp from 'child_process';\nprocess.exit(1);";
    expect(FORBIDDEN.filter(([, pattern]) => pattern.test(offending)).map(([name]) => name)).toEqual([
      'execa',
      'fs',
      'child_process',
      'process.*',
    ]);
  });
});
