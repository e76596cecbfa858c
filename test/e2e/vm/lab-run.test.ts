// `lbctl lab run topologies/dr-web.yaml --vm` on this machine, as an operator types it: the CLI boots the IPVS VM,
// brings the lab up in it, runs the built-in traffic check, takes the lab down and exits with the check's status.
// On by default, off with LBCTL_VM_TESTS=0 (needs what modes.test.ts needs; ~50 s on 2 cores).
import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';
if (!ENABLED) console.log('VM e2e tests (lab run --vm) skipped: LBCTL_VM_TESTS=0 was set; unset it to boot the IPVS kernel under qemu');

const ROOT = join(import.meta.dirname, '../../..');

describe.skipIf(!ENABLED)('lbctl lab run topologies/dr-web.yaml --vm', () => {
  let run: Result<{ cwd: string; reject: false; all: true }>;
  let ms: number;

  beforeAll(async () => {
    const started = Date.now();
    run = await execa('node', ['bin/lbctl', 'lab', 'run', 'topologies/dr-web.yaml', '--vm'], { cwd: ROOT, reject: false, all: true });
    ms = Date.now() - started;
    console.log(`lab run --vm (dr-web): exit ${run.exitCode} after ${ms} ms\n${run.all}`);
  }, 600_000);

  it('exits 0: the lab came up in the VM and its traffic check passed', () => {
    expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({
      exitCode: 0,
      stderr: 'lbctl: booting the IPVS VM (qemu, TCG): lab lab lives only as long as this command',
    });
    expect(run.stdout).toContain('built 7 namespaces, 1 bridges, 6 veth pairs');
    expect(run.stdout).toContain('director: applied');
    expect(run.stdout).toContain('check: passed');
  });

  it("prints which real server answered: web1, web2 and web3 in the wrr proportion 3/2/1, seeing the client's address (DR)", () => {
    const m =
      /^check: service web 192\.168\.10\.100:80 \(wrr, dr\) from client, (\d+) requests: web1 (\d+), web2 (\d+), web3 (\d+); the servers saw client 192\.168\.10\.50: ok$/m.exec(
        run.stdout,
      );
    expect(m, run.stdout).not.toBeNull();
    const [total, web1, web2, web3] = m!.slice(1).map(Number) as [number, number, number, number];
    expect(web1 + web2 + web3).toBe(total);
    expect([web1 / web3, web2 / web3]).toEqual([3, 2]);
    expect(run.stdout).toMatch(/^check: service web-tls 192\.168\.10\.100:443 \(sh, dr\) from client, 12 requests: web[123] 12; .*: ok$/m);
  });

  it('takes the lab down before the VM ends', () => {
    expect(run.stdout).toContain('lab lab removed: 7 namespace(s), 6 web server(s), 1 daemon(s)');
  });
});
