// Proof on a real IPVS kernel (the qemu VM) that DR and TUN checks go through the VIP path: one guest job
// (vip-path.sh) brings up vip-path.yaml with `lbctl lab up` (lbctl agent runs on the director), then takes the VIP of
// service web from web1's lo, the VIP of web-tun from its tunl0 and the IPv6 VIP of web6 from its lo. The agent's
// VIP-path checks of web1 must fail while its check at its own address (service web-rip) stays up; all come back
// with the VIPs. About 60 s (200 s with
// the machine loaded). On by default, off with LBCTL_VM_TESTS=0 (needs qemu-system-x86 busybox-static kmod cpio
// xz-utils ipvsadm nftables).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView } from '../../../src/agent/view.js';
import { runInVm, type VmResult } from '../../../src/lab/vm/runner.js';
import { destinations, expectJobCompleted, jobEvidence, readSteps } from './job-outcome.js';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';
if (!ENABLED) console.log('VM e2e tests (vip-path) skipped: LBCTL_VM_TESTS=0 was set; unset it to boot the IPVS kernel under qemu');

const JOB = join(import.meta.dirname, 'vip-path.sh');
/** The whole job's wall-clock budget, boot included. */
const BUDGET_S = 300;

/** Health and last result of each member, as "service server: health passed|failed (check)". */
function members(view: AgentView): Map<string, { health: string; last?: boolean; check?: string }> {
  return new Map(
    view.services.flatMap((s) =>
      s.members.map((m) => [`${s.service} ${m.server}`, { health: m.health, last: m.last?.passed, check: m.check }]),
    ),
  );
}

describe.skipIf(!ENABLED)('DR and TUN checks through the VIP path, on the IPVS kernel', () => {
  let results: string;
  let run: VmResult;
  const read = (file: string) => readFile(join(results, file), 'utf8');
  const view = async (name: string) => members((JSON.parse(await read(`${name}.json`)) as { view: AgentView }).view);
  const step = async (name: string) => (await readSteps(results)).find((s) => s.name === name);

  beforeAll(
    async () => {
      results = await mkdtemp(join(tmpdir(), 'lbctl-vm-vip-path-'));
      run = await runInVm({ command: ['bash', JOB, results], resultsDir: results, timeoutMs: BUDGET_S * 1000, memoryMb: 1536 });
      const steps = await readSteps(results);
      console.log(
        `VM vip-path job: ${run.durationMs} ms from prepare to qemu exit; steps (exit status, ms):\n${steps.map((s) => `  ${s.name.padEnd(14)} ${s.status} ${s.ms}`).join('\n')}`,
      );
    },
    BUDGET_S * 1000 + 60_000,
  );
  afterAll(() => rm(results, { recursive: true, force: true }));

  it('runs the job to completion, and lbctl lab up brings the lab up with the agent on the director', async () => {
    expectJobCompleted(run, await jobEvidence(results));
    expect(await step('up'), await read('up.txt')).toMatchObject({ status: 0 });
  });

  it('loads a fwmark service per VIP-path check, with DR or ipip forwarding, and the marking rules', async () => {
    const save = await read('ipvsadm-save.txt');
    expect(save.match(/^-a -f \d+ -r 192\.168\.10\.2[12]:0 -g -w 1$/gm)).toHaveLength(2);
    expect(save.match(/^-a -f \d+ -r 192\.168\.10\.2[12]:0 -i -w 1 --tun-type ipip$/gm)).toHaveLength(2);
    expect(save.match(/^-a -f \d+ -6 -r \[2001:db8:10::2[12]\]:0 -g -w 1$/gm)).toHaveLength(2);
    const nft = await read('nft.txt');
    expect(nft).toContain('type route hook output priority mangle; policy accept;');
    expect(
      nft.match(/ip saddr 192\.168\.10\.10 ip daddr 192\.168\.10\.10[02] tcp sport \d+ tcp dport 80 meta mark set 0x4c42/g),
    ).toHaveLength(4);
    expect(nft.match(/ip6 saddr 2001:db8:10::10 ip6 daddr 2001:db8:10::100 tcp sport \d+ tcp dport 80 meta mark set 0x4c42/g)).toHaveLength(
      2,
    );
  });

  it('passes every check: the VIP path reaches DR and TUN servers, over IPv4 and IPv6', async () => {
    expect(await step('all-up'), await read('all-up.json').catch(() => 'no state')).toMatchObject({ status: 0 });
    const all = await view('all-up');
    expect([...all.values()].every((m) => m.health === 'up' && m.last === true)).toBe(true);
    expect(all.get('web 192.168.10.21:80')?.check).toMatch(/^http 192\.168\.10\.100:80 via the VIP path from 192\.168\.10\.10:\d+$/);
    expect(all.get('web-rip 192.168.10.21:80')?.check).toBe('http 192.168.10.21:80');
    expect(all.get('web6 [2001:db8:10::21]:80')?.check).toMatch(
      /^http \[2001:db8:10::100\]:80 via the VIP path from \[2001:db8:10::10\]:\d+$/,
    );
  });

  it('a second apply on the director changes nothing (VIP-path services and marks read back as planned)', async () => {
    expect(await step('reapply')).toMatchObject({ status: 0 });
    expect(await read('reapply.txt')).toContain('host director matches the topology: nothing to do');
  });

  it.each([
    [
      'lo-vip-gone',
      'the VIP on lo',
      'web 192.168.10.21:80',
      ['web-rip 192.168.10.21:80', 'web-tun 192.168.10.21:80', 'web 192.168.10.22:80'],
    ],
    ['tunl0-vip-gone', 'the VIP on tunl0', 'web-tun 192.168.10.21:80', ['web-rip 192.168.10.21:80', 'web-tun 192.168.10.22:80']],
    ['lo6-vip-gone', 'the IPv6 VIP on lo', 'web6 [2001:db8:10::21]:80', ['web-rip 192.168.10.21:80', 'web6 [2001:db8:10::22]:80']],
  ])('%s: web1 without %s fails that VIP-path check; its own-address check and the others pass', async (name, _what, down, up) => {
    expect(await step(name), await read(`${name}.json`).catch(() => 'no state')).toMatchObject({ status: 0 });
    const now = await view(name);
    expect(now.get(down)).toMatchObject({ health: 'down', last: false });
    for (const member of up) expect(now.get(member), member).toMatchObject({ health: 'up' });
  });

  it("web1 without the VIP on lo leaves web's pool (weight 0: fail-open lets one of two go) and stays in web-rip's", async () => {
    const ipvs = await read('lo-vip-gone-ipvs.txt');
    expect(destinations(ipvs, '192.168.10.100:80').get('192.168.10.21:80')?.[0]).toBe(0);
    expect(destinations(ipvs, '192.168.10.101:80').get('192.168.10.21:80')?.[0]).toBe(1);
  });

  it("took only the fwmark services: IPVS counted probes on each of them and none on the VIPs' own services", async () => {
    const conns = new Map(
      (await read('stats.txt')).split('\n').flatMap((l) => {
        const m = /^(TCP|FWM) +(\S+)(?: IPv6)? +(\d+) /.exec(l);
        return m ? [[`${m[1]} ${m[2]}`, Number(m[3])] as const] : [];
      }),
    );
    const fwm = [...conns].filter(([k]) => k.startsWith('FWM '));
    expect(fwm).toHaveLength(6);
    for (const [service, n] of fwm) expect(n, service).toBeGreaterThan(0);
    for (const vip of ['192.168.10.100:80', '192.168.10.101:80', '192.168.10.102:80', '[2001:db8:10::100]:80'])
      expect(conns.get(`TCP ${vip}`), vip).toBe(0);
  });

  it('web1 with its VIPs back: every check passes again', async () => {
    expect(await step('back')).toMatchObject({ status: 0 });
    expect([...(await view('back')).values()].every((m) => m.health === 'up')).toBe(true);
  });
});
