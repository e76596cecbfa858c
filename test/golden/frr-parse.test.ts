// Every routing config file any example topology gives any host passes FRR's own parser (vtysh -C).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFrrContent, vtyshAvailable } from '../../src/host/adapters/frr-check.js';
import { desiredStates } from '../../src/desired/desired.js';
import { loadTopology } from '../../src/topology/load.js';

const TOPOLOGIES = join(import.meta.dirname, '..', '..', 'topologies');
const ci = Boolean(process.env.CI) && process.env.CI !== 'false';
const skip = !(await vtyshAvailable()) && !ci;
if (skip) console.warn('SKIPPED: vtysh is not installed (apt-get install frr); under CI this fails');

const files = readdirSync(TOPOLOGIES).filter((f) => f.endsWith('.yaml')).sort().flatMap((file) => {
  const { topology } = loadTopology(file, readFileSync(join(TOPOLOGIES, file), 'utf8'));
  if (!topology) throw new Error(`${file} is invalid`);
  return [...desiredStates(topology).values()].flatMap((s) => s.files.filter((f) => f.check === 'frr').map((f) => [file, s.host, f.path, f.content] as const));
});

describe.skipIf(skip)('example topologies: routing configs', () => {
  it('there are routing configs to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files)('%s %s %s passes vtysh -C', async (_file, _host, _path, content) => {
    expect(await checkFrrContent(content)).toBeNull();
  });
});
