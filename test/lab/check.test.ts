// The traffic check of `lab run` against a scripted client: what it asks (curl for TCP, one dig per query for UDP),
// how it reads the answers, and when it fails. The real thing runs in the VM suite (test/e2e/vm).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Runner } from '../../src/host/port.js';
import { labCheck } from '../../src/lab/check.js';
import { labPlan } from '../../src/lab/plan.js';
import { loadTopology } from '../../src/topology/load.js';

const ROOT = join(import.meta.dirname, '../..');
const t = loadTopology('nat-port-mapping.yaml', readFileSync(join(ROOT, 'topologies/nat-port-mapping.yaml'), 'utf8')).topology!;
const state = { file: 'nat-port-mapping.yaml', plan: labPlan(t, 'nat'), services: [] };
const OPTS = { requests: 4, anycastWaitMs: 0 };

/** A client whose curl is answered in turn by `web` and whose digs are answered in turn by `dns` (undefined: no answer). */
function client(web: string[], dns: (string | undefined)[]): { runner: Runner; argvs: (readonly string[])[] } {
  const argvs: (readonly string[])[] = [];
  let digs = 0;
  const runner: Runner = {
    run: (argv) => {
      argvs.push(argv);
      if (argv.includes('curl')) {
        const urls = argv.filter((a) => a.startsWith('http://'));
        const stdout = urls.map((_, i) => `${web[i % web.length]}\n203.0.113.50\n=lbctl-http 200\n`).join('');
        return Promise.resolve({ exitCode: 0, stdout, stderr: '' });
      }
      const name = dns[digs++ % dns.length];
      const stdout =
        name === undefined ? ';; connection timed out; no servers could be reached\n' : `whoami.lab.test.\t0\tIN\tTXT\t"${name}"\n`;
      return Promise.resolve({ exitCode: name === undefined ? 9 : 0, stdout, stderr: '' });
    },
  };
  return { runner, argvs };
}

describe('the traffic check of nat-port-mapping.yaml', () => {
  it("sends one dig per query to the UDP service's VIP and port, and tallies which resolver answered", async () => {
    const { runner, argvs } = client(['app1', 'app2'], ['app1', 'app2']);
    const lines: string[] = [];
    expect(await labCheck(t, state, runner, (l) => lines.push(l), OPTS)).toBe(true);
    const digs = argvs.filter((a) => a.includes('dig'));
    expect(digs).toHaveLength(4);
    expect(digs[0]).toEqual([
      'ip',
      'netns',
      'exec',
      'lbl-nat-client',
      'dig',
      '@203.0.113.10',
      '-p',
      '53',
      '+noall',
      '+answer',
      '+time=1',
      '+tries=1',
      'whoami.lab.test',
      'TXT',
    ]);
    expect(lines).toContain('check: service dns 203.0.113.10:53 (rr, nat) from client, 4 DNS queries: app1 2, app2 2: ok');
    expect(lines).toContain(
      'check: service web 203.0.113.10:80 (wlc, nat) from client, 4 requests: app1 2, app2 2; the servers saw client 203.0.113.50: ok',
    );
    expect(lines.at(-1)).toBe('check: passed');
  });

  it('fails on a query nobody answered and on an answer from a host that is no real server of the service', async () => {
    const lines: string[] = [];
    expect(await labCheck(t, state, client(['app1'], ['app1', undefined, 'app3', 'app2']).runner, (l) => lines.push(l), OPTS)).toBe(false);
    expect(lines).toContain(
      'check: service dns 203.0.113.10:53 (rr, nat) from client, 4 DNS queries: app1 1, app2 1, app3 1; 1 not answered: query 2 got no answer; app3 is no real server of dns: FAILED',
    );
    expect(lines.at(-1)).toBe('check: FAILED');
  });
});
