// Hostile input: every topology value that reaches a command line or a file is validated. Shell metacharacters
// (`;`, `$(…)`, backticks), newlines (which would smuggle lines into config files), `../` in names and option-like
// words are rejected by `loadTopology` with a rule id at the offending line, and `lbctl apply` on such a file exits 1
// having run nothing: every command it could start is a recorder first (and alone) in its PATH.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/present/diagnostics.js';
import { loadTopology } from '../../src/topology/load.js';
import { recorders, toolPath, writeScripts } from '../support/wrappers.js';
import { quoteWord as shQuote } from '../../src/drivers/sh/quote.js';

const LBCTL = join(import.meta.dirname, '..', '..', 'bin', 'lbctl');

/** A valid topology that puts a value in every field that reaches a command or a file. */
const BASE = `apiVersion: lbctl/v1
networks:
  lan: 192.168.10.0/24
  spare: 10.9.0.0/24
hosts:
  director:
    interfaces:
      eth0: { network: lan, address: 192.168.10.10/24 }
  x:
    interfaces:
      eth0: { network: lan, address: 192.168.10.21/24 }
    gateway: 192.168.10.1
    routes: { 10.20.0.0/16: 192.168.10.254 }
    routing:
      flavour: frr
      routerId: 192.168.10.21
      password: s3cret
      configDir: /etc/frr
      reload: [systemctl, reload, frr]
      networks: { 192.168.10.0/24: 0.0.0.0 }
      interfaces: { eth0: { cost: 10 } }
  y:
    interfaces:
      eth0: { network: lan, address: 192.168.10.22/24 }
  client:
    interfaces:
      eth9: { network: spare, address: 10.9.0.50/24 }
services:
  web:
    method: dr
    directors: [director]
    vip: 192.168.10.100
    port: 80
    realServers: [x, "y:80", 192.168.10.23]
anycast:
  dnsvip:
    prefix: 6.6.6.6/32
    nodes: [x]
    area: 0.0.0.0
dns:
  zones:
    example.com:
      servers: [x]
      reload: [rndc, reload, example.com]
      records:
        www: [web, dnsvip, 192.0.2.7]
`;

/** What a hostile variant changes (`from` occurs once in BASE), and the rule it must break. */
interface Hostile {
  what: string;
  from: string;
  to: string;
  rule: string;
}

const hostile = (what: string, from: string, rule: string, ...tos: string[]): Hostile[] => tos.map((to) => ({ what, from, to, rule }));

const CASES: Hostile[] = [
  ...hostile(
    'host name',
    '  client:',
    'name-invalid',
    '  "client;reboot":',
    '  "$(reboot)":',
    '  "`reboot`":',
    '  "client\\nreboot":',
    '  "../../etc/passwd":',
    '  "-client":',
  ),
  ...hostile(
    'interface name',
    'eth9:',
    'interface-invalid',
    '"eth9;id":',
    '"$(id)":',
    '"`id`":',
    '"eth9\\nlo":',
    '"../eth9":',
    '"..":',
    '"eth9/../../x":',
    '"-eth9":',
    '"eth9 up":',
  ),
  ...hostile('network name', '  spare: 10.9.0.0/24', 'name-invalid', '  "spare;id": 10.9.0.0/24', '  "../spare": 10.9.0.0/24'),
  ...hostile('network reference', 'network: spare', 'name-invalid', 'network: "spare$(id)"', 'network: "spare\\nx"'),
  ...hostile('service name', '  web:', 'name-invalid', '  "web;id":', '  "`id`":', '  "../web":'),
  ...hostile(
    'interface address',
    'address: 192.168.10.21/24',
    'prefix-invalid',
    'address: "192.168.10.21/24;id"',
    'address: "192.168.10.21/24\\nip link del eth0"',
    'address: "$(id)/24"',
    'address: "192.168.10.21/24 dev lo"',
  ),
  ...hostile('vip', 'vip: 192.168.10.100', 'address-invalid', 'vip: "192.168.10.100 -j"', 'vip: "192.168.10.100`id`"'),
  ...hostile(
    'gateway',
    'gateway: 192.168.10.1',
    'address-invalid',
    'gateway: "192.168.10.1;reboot"',
    'gateway: "`reboot`"',
    'gateway: "192.168.10.1\\n"',
  ),
  ...hostile('route via', '10.20.0.0/16: 192.168.10.254', 'address-invalid', '10.20.0.0/16: "192.168.10.254\\nreboot"'),
  ...hostile('route prefix', '10.20.0.0/16: 192.168.10.254', 'prefix-invalid', '"10.20.0.0/16 dev eth0": 192.168.10.254'),
  ...hostile('routerId', 'routerId: 192.168.10.21', 'address-invalid', 'routerId: "192.168.10.21\\nrouter bgp 65000"', 'routerId: "$(id)"'),
  ...hostile(
    'password',
    'password: s3cret',
    'password-invalid',
    'password: "s3cret\\nline vty"',
    'password: "s3 cret"',
    'password: "s3cret\\t"',
    'password: ""',
  ),
  ...hostile(
    'configDir',
    'configDir: /etc/frr',
    'path-invalid',
    'configDir: /etc/frr/../../tmp',
    'configDir: "/etc/frr;id"',
    'configDir: etc/frr',
    'configDir: "/etc/frr\\n"',
    'configDir: "/etc/$(id)"',
    'configDir: "/etc/`id`"',
  ),
  ...hostile(
    'routing reload word',
    'reload: [systemctl, reload, frr]',
    'command-invalid',
    'reload: [systemctl, reload, "frr; reboot"]',
    'reload: ["$(reboot)"]',
    'reload: ["`reboot`"]',
    'reload: [systemctl, reload, "frr\\nreboot"]',
    'reload: [systemctl, reload, ""]',
  ),
  ...hostile(
    'OSPF area',
    '192.168.10.0/24: 0.0.0.0',
    'area-invalid',
    '192.168.10.0/24: "0.0.0.0\\nrouter bgp 1"',
    '192.168.10.0/24: "0;id"',
  ),
  ...hostile('OSPF network prefix', '192.168.10.0/24: 0.0.0.0', 'prefix-invalid', '"192.168.10.0/24\\nrouter bgp 1": 0.0.0.0'),
  ...hostile(
    'OSPF interface',
    'interfaces: { eth0: { cost: 10 } }',
    'interface-invalid',
    'interfaces: { "eth0\\nrouter bgp 1": { cost: 10 } }',
    'interfaces: { "eth0;id": { cost: 10 } }',
  ),
  ...hostile('director', 'directors: [director]', 'name-invalid', 'directors: ["director;id"]'),
  ...hostile(
    'real server (short form)',
    'realServers: [x, "y:80", 192.168.10.23]',
    'realserver-invalid',
    'realServers: [x, "y:80;id", 192.168.10.23]',
    'realServers: [x, "$(id)", 192.168.10.23]',
    'realServers: [x, "[::1;id]:80", 192.168.10.23]',
    'realServers: [x, "../y", 192.168.10.23]',
    'realServers: [x, "y\\n:80", 192.168.10.23]',
    'realServers: [x, "`id`:80", 192.168.10.23]',
  ),
  ...hostile(
    'real server host',
    'realServers: [x, "y:80", 192.168.10.23]',
    'name-invalid',
    'realServers: [x, { host: "y;id" }, 192.168.10.23]',
  ),
  ...hostile(
    'real server address',
    'realServers: [x, "y:80", 192.168.10.23]',
    'address-invalid',
    'realServers: [x, { address: "192.168.10.22;id" }, 192.168.10.23]',
  ),
  ...hostile('anycast name', '  dnsvip:', 'name-invalid', '  "dnsvip;id":'),
  ...hostile('anycast prefix', 'prefix: 6.6.6.6/32', 'prefix-invalid', 'prefix: "6.6.6.6/32;id"'),
  ...hostile('anycast node', 'nodes: [x]', 'name-invalid', 'nodes: ["x$(id)"]'),
  ...hostile('anycast area', 'area: 0.0.0.0', 'area-invalid', 'area: "0.0.0.0\\nrouter bgp 1"'),
  ...hostile(
    'zone name',
    '    example.com:',
    'dns-name-invalid',
    '    "example.com;id":',
    '    "../../etc/passwd":',
    '    "example.com\\n":',
    '    "$(id).com":',
    '    "-rf":',
    '    "--version.":',
    '    "example.-com":',
  ),
  ...hostile('zone server', 'servers: [x]', 'name-invalid', 'servers: ["x;id"]'),
  ...hostile(
    'zone reload word',
    'reload: [rndc, reload, example.com]',
    'command-invalid',
    'reload: [rndc, reload, "example.com;reboot"]',
    'reload: [rndc, reload, "$(reboot)"]',
  ),
  ...hostile(
    'DNS owner name',
    'www: [web',
    'dns-name-invalid',
    '"www\\n@ IN NS evil.": [web',
    '"www;id": [web',
    '"../www": [web',
    '"-www": [web',
  ),
  ...hostile('DNS record value', '192.0.2.7]', 'dns-target-unknown', '"$(id)"]', '"192.0.2.7\\n@ IN NS evil."]'),
];

/** BASE with `from` replaced by `to`, and the 1-based line where the replacement starts. */
function variant(c: Hostile): { text: string; line: number } {
  const at = BASE.indexOf(c.from);
  if (at < 0 || BASE.indexOf(c.from, at + 1) >= 0) throw new Error(`"${c.from}" must occur exactly once in BASE`);
  return { text: BASE.slice(0, at) + c.to + BASE.slice(at + c.from.length), line: BASE.slice(0, at).split('\n').length };
}

const tmp = mkdtempSync(join(tmpdir(), 'lbctl-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every command lbctl may start (probes, changes, checks, reloads), plus what the hostile values try to run. */
const COMMANDS = [
  'ip',
  'sysctl',
  'modprobe',
  'cat',
  'ipvsadm',
  'ipvsadm-save',
  'ipvsadm-restore',
  'nft',
  'vtysh',
  'systemctl',
  'chown',
  'rndc',
  'install',
  'true',
  'sh',
  'bash',
  'env',
  'reboot',
  'id',
  'rm',
];
const LOG = join(tmp, 'commands.log');
const RECORDERS = recorders(join(tmp, 'bin'), LOG, COMMANDS);

/** Runs the CLI as a child whose PATH holds only the recorders. */
async function lbctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [LBCTL, ...args], { env: { PATH: RECORDERS, NO_COLOR: '1' }, timeout: 20_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('hostile topologies', () => {
  it('the base topology is valid (each case below breaks exactly one value of it)', () => {
    const r = loadTopology('base.yaml', BASE);
    // The bare address 192.168.10.23 is a machine lbctl does not manage: a warning, not an error.
    expect(r.diagnostics.map((d) => `${d.severity}[${d.rule}]`)).toEqual(['warning[dr-vip-unmanaged]']);
    expect(r.topology).toBeDefined();
  });

  it.each(CASES.map((c) => [c.what, c.to, c] as const))('rejects a hostile %s: %s', (_what, _to, c) => {
    const { text, line } = variant(c);
    const r = loadTopology('hostile.yaml', text);
    expect(r.topology).toBeUndefined();
    const found = r.diagnostics.map((d) => `${d.position?.line}: ${d.severity}[${d.rule}]`);
    expect(found, r.diagnostics.map(formatDiagnostic).join('\n')).toContain(`${line}: error[${c.rule}]`);
    const d = r.diagnostics.find((x) => x.rule === c.rule && x.position?.line === line)!;
    expect(d.fix.length).toBeGreaterThan(10);
  });

  // One child process per field (the first hostile value of each): loadTopology above covers every value, this
  // proves the CLI's wiring from a rejected file to exit 1 with nothing started, for each place a value can sit.
  it('lbctl apply exits 1 on a hostile value in each field, naming file:line and rule, and runs nothing', async () => {
    const runs = [];
    const perField = CASES.filter((c, i) => CASES.findIndex((x) => x.what === c.what) === i);
    for (const [i, c] of perField.entries()) {
      const { text, line } = variant(c);
      const file = join(tmp, `hostile-${i}.yaml`);
      writeFileSync(file, text);
      const root = join(tmp, `root-${i}`);
      runs.push(lbctl(['apply', file, '--host', 'x', '--yes', '--root', root]).then((r) => ({ r, file, line, rule: c.rule, root })));
      if (runs.length % 8 === 0) await Promise.all(runs.slice(-8));
    }
    for (const { r, file, line, rule, root } of await Promise.all(runs)) {
      expect(r.code, `${file}: ${r.stderr}`).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`${file}:${line}:\\d+: error\\[${rule}\\]`));
      expect(r.stderr).toContain(`lbctl: ${file}: invalid topology`);
      expect(existsSync(root), `${root} was created`).toBe(false);
    }
    expect(existsSync(LOG) ? readFileSync(LOG, 'utf8') : '').toBe('');
  }, 60_000);

  it('the recorders do catch what apply runs (control: the valid base topology)', async () => {
    const file = join(tmp, 'base.yaml');
    writeFileSync(file, BASE);
    const log = join(tmp, 'control.log');
    const bin = recorders(join(tmp, 'control-bin'), log, COMMANDS);
    // The apply lock is a real kernel lock: flock (and the cat it runs) are the real ones here.
    writeScripts(bin, { flock: `PATH=${shQuote(dirname(toolPath('cat')))} exec ${shQuote(toolPath('flock'))} "$@"` });
    // The recorders print nothing, so lbctl cannot parse the probe (it stops there); what matters is that it was seen.
    await promisify(execFile)(process.execPath, [LBCTL, 'apply', file, '--host', 'y', '--yes', '--root', join(tmp, 'control-root')], {
      env: { PATH: bin, NO_COLOR: '1' },
    }).catch(() => undefined);
    expect(readFileSync(log, 'utf8')).toContain('ip -j addr show\n');
  });

  it('a password may hold $(…) and backticks: it is one word of a config file, never shell text', async () => {
    const out = join(tmp, 'render');
    const file = join(tmp, 'password.yaml');
    writeFileSync(file, BASE.replace('password: s3cret', 'password: "$(touch${IFS}/tmp/pwned)`id`;x"'));
    const rendered = await lbctl(['render', file, '--host', 'x', '--out', out]);
    // The one warning of BASE (its real server by address), nothing about the password.
    expect(rendered.stderr).toMatch(/^\S+: warning\[dr-vip-unmanaged\]: [^\n]*\n {4}fix: [^\n]*\n$/);
    expect(rendered.code).toBe(0);
    expect(readFileSync(join(out, 'etc/frr/frr.conf'), 'utf8')).toContain('\npassword $(touch${IFS}/tmp/pwned)`id`;x\n');
    const shell = await lbctl(['plan', file, '--host', 'x', '--offline', '--format', 'shell']);
    expect(shell.stdout).toContain("install -D -m 0640 -o frr -g frr /dev/stdin /etc/frr/frr.conf <<'LBCTL_EOF'\n");
    expect(shell.stdout).toContain('\npassword $(touch${IFS}/tmp/pwned)`id`;x\n');
    expect(readdirSync(out)).toEqual(['etc']);
    expect(existsSync(LOG) ? readFileSync(LOG, 'utf8') : '').toBe('');
  });
});
