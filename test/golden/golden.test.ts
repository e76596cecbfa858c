// Golden plans of every example topology, from empty hosts and from captured drifted states.
// Regenerate with `LBCTL_UPDATE_GOLDEN=1 npx vitest run test/golden` (refused under CI).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOPOLOGIES = join(ROOT, 'topologies');
const GOLDEN = join(ROOT, 'test', 'golden');
const DRIFT = join(ROOT, 'test', 'fixtures', 'drift');
const UPDATE = process.env.LBCTL_UPDATE_GOLDEN === '1';
if (UPDATE && process.env.CI) throw new Error('golden files are never regenerated in CI');

const FORMATS = { shell: 'sh', json: 'json', human: 'txt' } as const;

/** Compares output with its golden file (or writes it when updating). */
function golden(file: string, actual: string): void {
  if (UPDATE) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${file} exists (run with LBCTL_UPDATE_GOLDEN=1 to create it)`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const topologies = readdirSync(TOPOLOGIES).filter((f) => f.endsWith('.yaml')).sort();

describe.each(topologies)('%s', (file) => {
  const name = basename(file, '.yaml');
  const path = join('topologies', file);
  const drifts = existsSync(join(DRIFT, name)) ? readdirSync(join(DRIFT, name)).sort() : [];

  it('is valid', async () => {
    const r = await runCli('validate', join(ROOT, path));
    expect(r.stdout).toMatch(/^\S+: valid: \d+ hosts, \d+ services/);
    expect(r.code).toBe(0);
  });

  it.each(Object.entries(FORMATS))('plans every host from empty state (%s)', async (format, ext) => {
    const r = await runCli('plan', path, '--all', '--offline', '--format', format);
    expect(r.code).toBe(0);
    golden(join(GOLDEN, name, `offline.${ext}`), r.stdout);
  });

  it('has at least one captured drifted state', () => {
    expect(drifts.length).toBeGreaterThan(0);
  });

  it.each(drifts)('plans from drifted state %s', async (drift) => {
    const dir = join('test', 'fixtures', 'drift', name, drift);
    for (const [format, ext] of Object.entries(FORMATS)) {
      const r = await runCli('plan', path, '--all', '--observed', dir, '--format', format);
      expect(r.code).toBe(0);
      golden(join(GOLDEN, name, `${drift}.${ext}`), r.stdout);
    }
  });
});
