// src/import is pure: files come in as text (includes through an injected reader); no fs, process or execa.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencies } from '../support/imports.js';

const IMPORT = join(import.meta.dirname, '../../src/import');
const ALLOWED = /^(\.{1,2}\/[\w-]+\.js|(\.\.\/){1,2}(model|observed|topology)\/[\w-]+\.js|(\.\.\/){1,2}drivers\/([\w-]+\/)?[\w-]+\.js)$/;

describe('src/import is pure', () => {
  const files = readdirSync(IMPORT, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports only src/import, src/model, src/observed, src/drivers and src/topology, and does not use process', (file) => {
    expect(dependencies(readFileSync(join(IMPORT, file), 'utf8')).filter((d) => !ALLOWED.test(d))).toEqual([]);
  });

  it('the check catches what it is for', () => {
    expect(['node:fs', 'execa', '../host/files.js', '../../cli/io.js', './ok.js'].filter((d) => !ALLOWED.test(d))).toEqual(['node:fs', 'execa', '../host/files.js', '../../cli/io.js']);
  });
});
