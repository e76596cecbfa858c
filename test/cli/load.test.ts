// How the CLI reports a topology's diagnostics: every warning of a valid file, formatted as formatDiagnostic writes
// each, in one write to stderr (a write each cost seconds for thousands of them in the emulated VM).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopology, requireTopology } from '../../src/cli/load.js';
import { formatDiagnostic, formatDiagnostics } from '../../src/present/diagnostics.js';

// One DR service whose real servers are bare addresses: one dr-vip-unmanaged warning each, the file still valid.
const TOPOLOGY = `apiVersion: lbctl/v1
networks:
  lan: 10.0.0.0/16
hosts:
  director:
    roles: [director]
    interfaces:
      eth0: { network: lan, address: 10.0.0.10/16 }
services:
  web:
    vip: 10.0.100.1
    port: 80
    method: dr
    directors: [director]
    realServers: [10.0.160.1, 10.0.160.2, 10.0.160.3]
`;

describe('requireTopology', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lbctl-load-'));
    file = join(dir, 'topology.yaml');
    await writeFile(file, TOPOLOGY);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints all warnings with one write, as formatDiagnostic writes each', async () => {
    const writes: string[] = [];
    const topology = await requireTopology(file, (s) => writes.push(s));
    const { diagnostics } = await readTopology(file);
    expect(topology.services).toHaveLength(1);
    expect(diagnostics.map((d) => d.rule)).toEqual(['dr-vip-unmanaged', 'dr-vip-unmanaged', 'dr-vip-unmanaged']);
    expect(writes).toEqual([diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('')]);
  });

  it('writes nothing for a file without diagnostics', () => {
    expect(formatDiagnostics([])).toBe('');
  });
});
