import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lbctl-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lbctl CLI', () => {
  it('prints a JSON Schema that names every top-level section', async () => {
    const r = await runCli('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(['apiVersion', 'networks', 'hosts', 'ospf', 'services', 'anycast', 'dns']);
    expect(schema.required).toEqual(['apiVersion', 'hosts']);
  });

  it('exits 1 on an invalid topology and 66 on a missing file', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: lbctl/v1\nhosts: {}\nservices: { web: { vip: 10.0.0.1, port: 80, method: dr, directors: [x], realServers: [y] } }\n',
    );
    const invalid = await runCli('validate', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(`${bad}:3:`);
    expect((await runCli('plan', bad, '--all', '--offline')).code).toBe(1);
    const missing = await runCli('validate', join(tmp, 'nope.yaml'));
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('no such file');
  });

  it('exits 64 on a wrong command line, saying what to choose', async () => {
    const noHost = await runCli('plan', 'topologies/dr-web.yaml', '--offline');
    expect(noHost.code).toBe(64);
    expect(noHost.stderr).toContain('--host NAME');
    const noInventory = await runCli('plan', 'topologies/dr-web.yaml', '--all');
    expect(noInventory.code).toBe(64);
    expect(noInventory.stderr).toContain('needs --inventory FILE');
    expect((await runCli('plan', 'topologies/dr-web.yaml', '--host', 'ghost', '--offline')).code).toBe(64);
    expect((await runCli('frobnicate')).code).toBe(64);
  });

  it('gives --detailed-exitcode 2 for changes and 0 without', async () => {
    expect((await runCli('plan', 'topologies/dr-web.yaml', '--host', 'director', '--offline', '--detailed-exitcode')).code).toBe(2);
    expect((await runCli('plan', 'topologies/dr-web.yaml', '--host', 'client', '--offline', '--detailed-exitcode')).code).toBe(0);
  });

  it('compares with --expect: 0 on a match, 1 and a unified diff on a mismatch', async () => {
    const plan = await runCli('plan', 'topologies/dr-web.yaml', '--host', 'web1', '--offline', '--format', 'shell');
    const expected = join(tmp, 'expected.sh');
    writeFileSync(expected, plan.stdout);
    expect((await runCli('plan', 'topologies/dr-web.yaml', '--host', 'web1', '--offline', '--expect', expected)).code).toBe(0);
    writeFileSync(expected, plan.stdout.replace('arp_ignore=1', 'arp_ignore=8'));
    const differ = await runCli('plan', 'topologies/dr-web.yaml', '--host', 'web1', '--offline', '--expect', expected);
    expect(differ.code).toBe(1);
    expect(differ.stdout).toMatch(/^-sysctl -q -w net\.ipv4\.conf\.all\.arp_ignore=8$/m);
    expect(differ.stdout).toMatch(/^\+sysctl -q -w net\.ipv4\.conf\.all\.arp_ignore=1$/m);
  });

  it('renders the files a host would get, with their modes', async () => {
    const out = join(tmp, 'r1');
    const r = await runCli('render', 'topologies/dns-anycast-ospf.yaml', '--host', 'r1', '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'etc/quagga/ospfd.conf'), 'utf8')).toContain(' ospf router-id 10.211.55.17\n');
    expect(statSync(join(out, 'etc/quagga/ospfd.conf')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(out, 'etc/sysctl.d/90-lbctl.conf'), 'utf8')).toContain('net.ipv4.ip_forward = 1\n');
  });
});
