import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wantsColor } from '../../src/cli/io.js';
import { runCli, runCliWith } from '../support/run-cli.js';

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

describe('flags that mean the same everywhere', () => {
  const DR = 'topologies/dr-web.yaml';

  it('colours by FORCE_COLOR, NO_COLOR and the terminal, and --no-color turns colour off', async () => {
    expect(wantsColor({}, true)).toBe(true);
    expect(wantsColor({}, false)).toBe(false);
    expect(wantsColor({ NO_COLOR: '' }, true)).toBe(false);
    expect(wantsColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '0', NO_COLOR: '1' }, true)).toBe(false);
    const coloured = await runCliWith({ color: true }, 'plan', DR, '--host', 'web1', '--offline');
    expect(coloured.stdout).toContain('\x1b[');
    const plain = await runCliWith({ color: true }, '--no-color', 'plan', DR, '--host', 'web1', '--offline');
    expect(plain.stdout).not.toContain('\x1b[');
    expect(plain.stdout).toContain('Host web1:');
  });

  it('calls the readable format human; text, its old name, works with a note', async () => {
    for (const args of [
      ['validate', DR],
      ['lab', 'plan', DR],
    ]) {
      const human = await runCli(...args, '--format', 'human');
      expect(human.code).toBe(0);
      const text = await runCli(...args, '--format', 'text');
      expect(text.stdout).toBe(human.stdout);
      expect(text.stderr).toContain('--format text is now called --format human');
      expect((await runCli(...args, '--format', 'yaml')).stderr).toContain('Allowed choices are human, json.');
    }
  });

  it('takes --host as a comma list where a command takes several hosts, and says so where it takes one', async () => {
    const both = await runCli('plan', DR, '--host', 'web1,web2', '--offline');
    expect(both.stdout).toMatch(/^Host web1:.*\n[^]*^Host web2:/m);
    expect((await runCli('plan', DR, '--host', 'web1', '--host', 'web2,web1', '--offline')).stdout).toBe(both.stdout);
    const one = await runCli('render', DR, '--host', 'web1,web2', '--out', join(tmp, 'two'));
    expect(one.code).toBe(64);
    expect(one.stderr).toContain('one host at a time, got "web1,web2"');
    const local = await runCli('apply', DR, '--host', 'web1,web2', '--yes', '--root', join(tmp, 'root'));
    expect(local.code).toBe(64);
    expect(local.stderr).toContain('apply several hosts with --inventory FILE');
  });

  it('refuses --events where there is no rollout (64), and an events file it cannot write before reaching any host (73)', async () => {
    const local = await runCli('apply', DR, '--host', 'web1', '--yes', '--root', join(tmp, 'root'), '--events', join(tmp, 'ev.jsonl'));
    expect(local.code).toBe(64);
    expect(local.stderr).toContain('--events logs a rollout across hosts: use it with --all or --inventory INV');
    const inventory = join(tmp, 'unreachable.yaml');
    writeFileSync(inventory, 'apiVersion: lbctl/v1\nkind: Inventory\nhosts:\n  web1: { ssh: { host: 192.0.2.1 } }\n');
    const dir = await runCli('apply', DR, '--host', 'web1', '--inventory', inventory, '--yes', '--events', tmp);
    expect({ code: dir.code, stderr: dir.stderr }).toEqual({ code: 73, stderr: `lbctl: cannot write ${tmp}: it is a directory\n` });
  });

  it('lists the hosts of the topology when --host names none of them', async () => {
    for (const args of [
      ['plan', DR, '--host', 'nosuch', '--offline'],
      ['apply', DR, '--host', 'nosuch', '--yes', '--root', join(tmp, 'root')],
      ['render', DR, '--host', 'nosuch', '--out', join(tmp, 'nosuch')],
    ]) {
      const r = await runCli(...args);
      expect(r.code).toBe(64);
      expect(r.stderr).toContain('unknown host nosuch; the topology has: director, web1, web2, web3, client');
    }
  });

  it('validates standard input as -', async () => {
    const text = readFileSync(DR, 'utf8');
    const valid = await runCliWith({ stdin: [text] }, 'validate', '-');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toBe('<stdin>: valid: 5 hosts, 2 services, 0 anycast groups\n');
    const invalid = await runCliWith({ stdin: [text.replace('method: dr', 'method: DR')] }, 'validate', '-');
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^<stdin>:\d+:\d+/m);
  });

  it('refuses render --out - with what to do instead', async () => {
    const r = await runCli('render', DR, '--host', 'web1', '--out', '-');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('name a directory (--out DIR)');
    expect(() => statSync('-')).toThrow();
  });

  it('shows the help of a subcommand with help and its path', async () => {
    const r = await runCli('help', 'lab', 'plan');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lbctl lab plan \[options\] <file>/);
    expect((await runCli('lab', 'help', 'plan')).stdout).toBe(r.stdout);
  });
});
