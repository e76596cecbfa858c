// src/observed and src/drivers are the pure core: they may import only each other, src/model and zod,
// and never touch process.* (ARCHITECTURE.md).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencies } from '../support/imports.js';

const SRC = join(import.meta.dirname, '../../src');
const PURE = ['observed', 'drivers'];
const ALLOWED_FOLDERS = ['observed', 'drivers', 'model'];

/** True when a file of src/ at `file` may import `specifier`. */
function allowed(file: string, specifier: string): boolean {
  if (specifier === 'zod') return true;
  if (!specifier.startsWith('.')) return false;
  const folder = relative(SRC, resolve(dirname(file), specifier)).split('/')[0] ?? '';
  return ALLOWED_FOLDERS.includes(folder);
}

describe('src/observed and src/drivers are pure', () => {
  const files = PURE.flatMap((folder) =>
    readdirSync(join(SRC, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(folder, f)));

  it('has the parsers', () => {
    expect(files).toEqual(expect.arrayContaining(['observed/captures.ts', 'drivers/iproute/parse.ts', 'drivers/ipvs/parse-save.ts', 'observed/modules.ts', 'drivers/nft/parse.ts', 'drivers/sysctl/parse.ts']));
  });

  it.each(files)('%s imports only src/{observed,drivers,model}/* and zod, and does not use process', (file) => {
    const path = join(SRC, file);
    const outside = dependencies(readFileSync(path, 'utf8')).filter((d) => !allowed(path, d));
    expect(outside).toEqual([]);
  });

  it('the check catches what it is for', () => {
    const offending = "import { execa } from 'execa';\nimport * as fs from 'node:fs';\nconst cp = await import('child_process');\nprocess.exit(1);\nimport './ok.js';\nimport '../../host/runner.js';";
    const path = join(SRC, 'drivers/ipvs/x.ts');
    expect(dependencies(offending).filter((d) => !allowed(path, d))).toEqual(['execa', 'node:fs', 'child_process', '../../host/runner.js', 'process']);
  });
});
