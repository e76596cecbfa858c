import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptySaved } from '../../src/health/engine.js';
import { runCli } from '../support/run-cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbctl-status-'));
  const view = {
    host: 'dns1',
    updatedAt: Date.now(),
    edits: 1,
    services: [],
    anycast: [{ group: 'dns', prefix: '6.6.6.6/32', announced: false, holdDownMs: 2000, health: 'down' }],
  };
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ saved: emptySaved(), view }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('lbctl status', () => {
  it("prints the agent's view from its state file, as text or JSON", async () => {
    const text = await runCli('status', '--host', 'dns1', '--state-file', join(dir, 'agent.json'));
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain('anycast dns 6.6.6.6/32: WITHDRAWN, check down, hold-down 2000 ms');
    const json = await runCli('status', '--host', 'dns1', '--state-file', join(dir, 'agent.json'), '--format', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ host: 'dns1', anycast: [{ announced: false }] });
  });

  it('says where it looked when there is no state', async () => {
    const r = await runCli('status', '--host', 'dns1', '--state-file', join(dir, 'missing.json'));
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(`${join(dir, 'missing.json')}: no agent state`);
  });

  it('refuses a malformed --metrics address before starting', async () => {
    const r = await runCli('agent', 'topologies/dns-anycast-ospf.yaml', '--host', 'dns1', '--metrics', 'localhost');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--metrics localhost: write ADDRESS:PORT');
  });
});
