import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lbctl-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lbctl import', () => {
  it('keepalived: writes a topology that validates, and reports what it did not import with file:line', async () => {
    const out = join(tmp, 'topology.yaml');
    const r = await runCli('import', 'keepalived', 'test/fixtures/import/keepalived/keepalived-sample.conf', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("keepalived-sample.conf:42:15: not imported: digest: keepalived's digest is the MD5 of the body");
    expect(r.stderr).toContain('keepalived-sample.conf:15:1: not imported: vrrp_instance:');
    expect(r.stderr).toMatch(/1 service\(s\) imported into .*; 3 not imported, 1 adjusted, 2 to fill in/);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toMatch(/^# Imported by `lbctl import keepalived` from /);
    expect(yaml).toContain('    sorryServer: 192.168.200.200:1358\n');
    expect(yaml).toContain('    check: { kind: http, interval: 6, timeout: 3, rise: 1, fall: 4, path: /testurl3/test.jsp, status: [200, ');
    expect((await runCli('validate', out)).code).toBe(0);
  });

  it('keepalived: follows include globs and selects "@ID" lines with --config-id', async () => {
    writeFileSync(join(tmp, 'main.conf'), '@lb1 include vs-*.conf\n');
    writeFileSync(
      join(tmp, 'vs-web.conf'),
      'virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n real_server 10.0.0.11 80\n}\n',
    );
    const lb1 = await runCli('import', 'keepalived', join(tmp, 'main.conf'), '--config-id', 'lb1');
    expect(lb1.stdout).toContain('tcp-10-0-0-1-80:');
    const lb2 = await runCli('import', 'keepalived', join(tmp, 'main.conf'), '--config-id', 'lb2');
    expect(lb2.stdout).not.toContain('services:');
  });

  it('keepalived: a syntax error is reported at file:line:col with exit 65', async () => {
    const bad = join(tmp, 'bad.conf');
    writeFileSync(bad, 'virtual_server 10.0.0.1 80 {\n  protocol "TCP\n}\n');
    const r = await runCli('import', 'keepalived', bad);
    expect(r.code).toBe(65);
    expect(r.stderr).toBe(`lbctl: cannot import ${bad}:2:12: unterminated quote: close the string with "\n`);
  });

  it('ipvsadm: `lbctl plan` of the imported topology against the same dump changes no IPVS object', async () => {
    const out = join(tmp, 'from-dump.yaml');
    const dump = 'test/fixtures/observed/ipvsadm-save/real-dr-nat-tun.txt';
    expect((await runCli('import', 'ipvsadm', dump, '--out', out)).code).toBe(0);
    mkdirSync(join(tmp, 'observed', 'director'), { recursive: true });
    copyFileSync(dump, join(tmp, 'observed', 'director', 'ipvsadm-save.txt'));
    const plan = await runCli('plan', out, '--host', 'director', '--observed', join(tmp, 'observed'), '--format', 'json');
    expect(plan.code).toBe(0);
    const { hosts } = JSON.parse(plan.stdout) as { hosts: { changes: { kind: string }[]; unmanaged: unknown[] }[] };
    expect(hosts[0]?.changes.filter((c) => c.kind.startsWith('ipvs-'))).toEqual([]);
    expect(hosts[0]?.changes.length).toBeGreaterThan(0); // the VIPs, modules and rules file: the dump holds only IPVS
    expect(hosts[0]?.unmanaged).toEqual([]);
  });

  it('ipvsadm: a dump without -n is read through the services table given', async () => {
    const dump = join(tmp, 'rules');
    const services = join(tmp, 'services');
    writeFileSync(dump, '# ipvsadm-save\n-A -t 192.0.2.1:http -s rr\n-a -t 192.0.2.1:http -r 192.0.2.11:http -g -w 1\n');
    writeFileSync(services, 'http 80/tcp www\n');
    const r = await runCli('import', 'ipvsadm', dump, '--services', services);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('    vip: 192.0.2.1\n    port: 80\n');
    const unknown = await runCli('import', 'ipvsadm', dump, '--services', join(tmp, 'empty'));
    expect(unknown.code).toBe(66);
  });
});
