// Every keepalived.conf any example topology gives any host passes keepalived's own parser (keepalived -t), and a
// broken one does not: the check can fail.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localRunner } from '../../src/host/adapters/exec.js';
import { checkKeepalivedContent, keepalivedAvailable } from '../../src/host/adapters/keepalived-check.js';
import { desiredStates } from '../../src/desired/desired.js';
import { loadTopology } from '../../src/topology/load.js';

const TOPOLOGIES = join(import.meta.dirname, '..', '..', 'topologies');
const ci = Boolean(process.env.CI) && process.env.CI !== 'false';
const skip = !(await keepalivedAvailable()) && !ci;
if (skip) console.warn('SKIPPED: keepalived is not installed (apt-get install keepalived); under CI this fails');

const files = readdirSync(TOPOLOGIES).filter((f) => f.endsWith('.yaml')).sort().flatMap((file) => {
  const { topology } = loadTopology(file, readFileSync(join(TOPOLOGIES, file), 'utf8'));
  if (!topology) throw new Error(`${file} is invalid`);
  return [...desiredStates(topology).values()].flatMap((s) => s.files.filter((f) => f.check === 'keepalived').map((f) => [file, s.host, f.path, f.content] as const));
});

describe.skipIf(skip)('example topologies: keepalived configs', () => {
  it('there are keepalived configs to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s %s %s passes keepalived -t', async (_file, _host, _path, content) => {
    expect(await checkKeepalivedContent(content, localRunner)).toBeNull();
  });

  it('rejects an advertisement interval keepalived cannot keep, naming the line', async () => {
    const [, , , content] = files[0]!;
    expect(await checkKeepalivedContent(content.replace('advert_int 0.2', 'advert_int 0.003'), localRunner)).toMatch(/keepalived\.conf: Line \d+\).*0\.003/);
  });
});
