// src/observed is the pure core: it may import only itself, src/model and zod, and never touch process.* (ARCHITECTURE.md).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencies } from '../support/imports.js';

const OBSERVED = join(import.meta.dirname, '../../src/observed');
const ALLOWED = /^(\.\/[\w-]+\.js|\.\.\/model\/[\w-]+\.js|zod)$/;

describe('src/observed is pure', () => {
  const files = readdirSync(OBSERVED).filter((f) => f.endsWith('.ts'));

  it('has the parsers', () => {
    expect(files).toEqual(expect.arrayContaining(['captures.ts', 'ip-json.ts', 'ipvsadm-save.ts', 'modules.ts', 'nft.ts', 'sysctl.ts']));
  });

  it.each(files)('%s imports only ./*, ../model/* and zod, and does not use process', (file) => {
    const outside = dependencies(readFileSync(join(OBSERVED, file), 'utf8')).filter((d) => !ALLOWED.test(d));
    expect(outside).toEqual([]);
  });

  it('the check catches what it is for', () => {
    const offending = "import { execa } from 'execa';\nimport * as fs from 'node:fs';\nconst cp = await import('child_process');\nprocess.exit(1);\nimport './ok.js';";
    expect(dependencies(offending).filter((d) => !ALLOWED.test(d))).toEqual(['execa', 'node:fs', 'child_process', 'process']);
  });
});
