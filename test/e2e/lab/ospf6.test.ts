// OSPFv3 end to end on this machine's kernel: topologies/dns-anycast-ospf6.yaml as a lab (seed 004 plus IPv6 links
// and 2001:db8:6::6/128 on every DNS node's lo). pc asks 2001:db8:6::6 who answers; R1 (quagga-style files, ospf6d
// fed through vtysh) and R2 learn the /128 by OSPFv3 only; the answering node's IPv6 link goes down and another node
// answers. Root only; every packet stays inside the lab's namespaces.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRunner } from '../../../src/host/adapters/exec.js';
import { labDown } from '../../../src/lab/down.js';
import { frrDaemons, labVtysh, type LabFrr } from '../../../src/lab/frr.js';
import { liveNamespaces } from '../../../src/lab/namespaces.js';
import { readLabState, type LabState } from '../../../src/lab/state.js';
import { labNs, sleep, waitFor } from '../../support/anycast-probe.js';
import { runCli } from '../../support/run-cli.js';

const TOPOLOGY = 'topologies/dns-anycast-ospf6.yaml';
const LAB = 'e2eospf6';
const VIP6 = '2001:db8:6::6';
const NODES = ['dns1', 'dns2', 'dns3'];
const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT) console.log('OSPFv3 lab e2e test skipped: it creates network namespaces and FRR instances and needs root');

const ns = (host: string) => labNs(LAB, host);
const report = (line: string) => console.log(`ospf6: ${line}`);

/** The DNS node answering pc at 2001:db8:6::6 (its whoami TXT: the host name), or null on a timeout. */
async function whoami6(): Promise<string | null> {
  const args = ['netns', 'exec', ns('pc'), 'dig', '+short', '+time=1', '+tries=1', `@${VIP6}`, 'whoami.lab.test', 'TXT'];
  const r = await execa('ip', args, { reject: false });
  const m = /^"(dns\d)"$/.exec(r.stdout.trim());
  return r.exitCode === 0 && m ? m[1]! : null;
}

/** R1's next hops (link-local address and device) to 2001:db8:6::6 in its kernel table, sorted. */
async function r1NextHops6(): Promise<string[]> {
  const out = (await execa('ip', ['-6', '-j', '-n', ns('r1'), 'route', 'show', `${VIP6}/128`])).stdout;
  const routes = JSON.parse(out || '[]') as { gateway?: string; dev?: string; nexthops?: { gateway: string; dev: string }[] }[];
  return routes
    .flatMap((r) => (r.nexthops ?? (r.gateway ? [{ gateway: r.gateway, dev: r.dev ?? '' }] : [])).map((n) => `${n.gateway}%${n.dev}`))
    .sort();
}

describe.runIf(process.env.CI && !IS_ROOT)('OSPFv3 lab e2e under CI', () => {
  it('runs as root', () => {
    expect.fail('CI is set but the OSPFv3 lab e2e test is not running as root: run the suite as root');
  });
});

describe.runIf(IS_ROOT)('OSPFv3: IPv6 DNS anycast over ospf6d as a lab on this kernel', { timeout: 60_000 }, () => {
  let state: LabState;
  const frrOf = (host: string) => state.frr?.find((f) => f.host === host) as LabFrr;

  beforeAll(async () => {
    if (!IS_ROOT) return;
    await labDown(LAB, localRunner);
    const t0 = Date.now();
    const up = await runCli('lab', 'up', TOPOLOGY, '--name', LAB);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    report(`lab up: ${Date.now() - t0} ms`);
    state = (await readLabState(LAB))!;
    const t1 = Date.now();
    await waitFor('pc answered through 2001:db8:6::6', whoami6, (a) => a !== null, 30_000);
    report(`OSPFv3 convergence after lab up: pc first answered by ${VIP6} after ${Date.now() - t1} ms`);
  }, 60_000);

  afterAll(async () => {
    if (IS_ROOT) await labDown(LAB, localRunner);
  });

  it('runs ospf6d next to ospfd on every host, both flavours, and R1 holds three OSPFv3 next hops to the /128', async () => {
    const daemons = await Promise.all(state.frr!.map(async (f) => `${f.host}:${[...(await frrDaemons(f)).keys()].sort().join('+')}`));
    expect(daemons.sort()).toEqual([
      'dns1:ospf6d+ospfd+staticd+zebra',
      'dns2:ospf6d+ospfd+staticd+zebra',
      'dns3:ospf6d+ospfd+staticd+zebra',
      'r1:ospf6d+ospfd+zebra',
      'r2:ospf6d+ospfd+zebra',
    ]);
    // the quagga-style routers run OSPFv3 with their IPv4 router id (FRR skips quagga's `router-id` in ospf6d.conf)
    for (const [host, id] of [
      ['r1', '10.211.55.17'],
      ['r2', '10.211.55.18'],
    ] as const) {
      expect(await labVtysh(frrOf(host), ['show ipv6 ospf6'], localRunner)).toContain(`Router-ID ${id}`);
    }
    const { value: hops } = await waitFor('R1 with three next hops to the /128', r1NextHops6, (h) => h.length === 3, 15_000).catch(
      async (e: Error) => {
        const seen = await labVtysh(frrOf('r1'), ['show ipv6 ospf6 neighbor', 'show ipv6 ospf6 route'], localRunner);
        throw new Error(`${e.message}\nR1:\n${seen}`);
      },
    );
    expect(hops.every((h) => h.startsWith('fe80::') && h.endsWith('%eth3'))).toBe(true);
    // the nodes run at priority 0: R1 is the DR of their link, so losing a node re-elects nothing (when a node was the
    // DR, its loss withdrew the /128 from R1 and R2 for a second, with two nodes still up)
    expect(await labVtysh(frrOf('r1'), ['show ipv6 ospf6 interface eth3'], localRunner)).toMatch(/State DR,/);
    const route = JSON.parse(await labVtysh(frrOf('r1'), [`show ipv6 route ${VIP6}/128 json`], localRunner)) as Record<
      string,
      { protocol: string }[]
    >;
    expect(route[`${VIP6}/128`]?.[0]?.protocol).toBe('ospf6');
    // R2 knows the /128 only from OSPFv3 (inter-area, via R1): pc's questions go R2 → R1 → a node
    const r2Route = (await execa('ip', ['-6', '-n', ns('r2'), 'route', 'show', `${VIP6}/128`])).stdout;
    expect(r2Route).toMatch(/proto ospf/);
    expect(await whoami6()).toMatch(/^dns[123]$/);
    report(`ECMP on r1: ${VIP6}/128 via ${hops.join(', ')} (ospf6); R2 has it by OSPFv3 too; pc answered over IPv6`);
  });

  it("fails over when the answering node's IPv6 link goes down, and takes it back when it returns", async () => {
    const victim = (await waitFor('an answer', whoami6, (a) => a !== null, 5_000)).value!;
    expect(NODES).toContain(victim);
    const t0 = Date.now();
    await execa('ip', ['-n', ns(victim), 'link', 'set', 'eth2', 'down']);
    // the node's only IPv6 link: R1 drops it after the dead interval (3 s) and recomputes
    const { value: hops, ms } = await waitFor('R1 down to two next hops', r1NextHops6, (h) => h.length === 2, 15_000);
    const answers: (string | null)[] = [];
    for (let i = 0; i < 10; i++) {
      answers.push(await whoami6());
      await sleep(20);
    }
    expect(
      answers.every((a) => a !== null && a !== victim),
      JSON.stringify(answers),
    ).toBe(true);
    report(
      `eth2 down on ${victim}: R1 has ${hops.length} next hops after ${ms} ms; next 10 questions answered by ${[...new Set(answers)].join(', ')} (${Date.now() - t0} ms in all)`,
    );
    await execa('ip', ['-n', ns(victim), 'link', 'set', 'eth2', 'up']);
    const back = await waitFor('R1 back to three next hops', r1NextHops6, (h) => h.length === 3, 20_000);
    report(`eth2 of ${victim} up again: R1 has three next hops again after ${back.ms} ms`);
  });

  it('lab down leaves no namespace', async () => {
    const down = await runCli('lab', 'down', '--name', LAB);
    expect(down).toMatchObject({ code: 0, stderr: '' });
    expect(await liveNamespaces(localRunner, LAB)).toEqual([]);
  });
});
