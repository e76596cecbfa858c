// Seed 004 end to end on this machine's kernel: topologies/dns-anycast-ospf.yaml as a lab with FRR on R1, R2
// (quagga-style files) and the three DNS nodes (frr.conf), dnsmasq on 6.6.6.6 on each node, and pc asking
// 6.6.6.6 who answers while nodes lose their VIP, their link or their ospfd. Root only; prints the timings the
// README quotes. Every packet stays inside the lab's namespaces; this machine's /etc/frr, /run/frr, /var/tmp,
// addresses and routes are compared before and after.
import { createHash } from 'node:crypto';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRunner } from '../../../src/host/adapters/exec.js';
import { labDown } from '../../../src/lab/down.js';
import { frrDaemons, labVtysh, type LabFrr } from '../../../src/lab/frr.js';
import { labDir } from '../../../src/lab/names.js';
import { liveNamespaces } from '../../../src/lab/namespaces.js';
import { readLabState, type LabState } from '../../../src/lab/state.js';
import { ANYCAST_VIP as VIP, digWhoami, labNs, Prober, vipNextHops, waitFor, type Failover } from '../../support/anycast-probe.js';
import { runCli } from '../../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../../..');
const TOPOLOGY = join(ROOT, 'topologies/dns-anycast-ospf.yaml');
const LAB = 'e2eseed4';
const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT) console.log('seed 004 lab e2e test skipped: it creates network namespaces and FRR instances and needs root');

const ns = (host: string) => labNs(LAB, host);
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const timings: string[] = [];
const report = (line: string) => {
  timings.push(line);
  console.log(`seed004: ${line}`);
};

/** What of this machine the lab must not change: FRR's dirs, /var/tmp, addresses, routes, namespaces other than the lab's. */
async function hostSnapshot(): Promise<string> {
  // every entry with its content's hash and its mtime (a rewrite with the same content counts too), recursively
  const listing = async (dir: string): Promise<string> => {
    const names = (await readdir(dir).catch(() => [] as string[])).sort();
    const own = `${dir} ${(await stat(dir).catch(() => null))?.mtimeMs ?? 'missing'}`;
    const entries = await Promise.all(
      names.map(async (n) => {
        const path = join(dir, n);
        const info = await stat(path);
        if (info.isDirectory()) return listing(path);
        return `${path} ${info.mtimeMs} ${createHash('sha256')
          .update(await readFile(path).catch(() => Buffer.from('(unreadable)')))
          .digest('hex')
          .slice(0, 16)}`;
      }),
    );
    return [own, ...entries].join('\n');
  };
  const ip = async (...args: string[]) => (await execa('ip', args)).stdout;
  const otherNamespaces = (await ip('netns', 'list'))
    .split('\n')
    .filter((l) => !l.startsWith(`lbl-${LAB}-`))
    .join('\n');
  return [
    await listing('/etc/frr'),
    await listing('/run/frr'),
    await listing('/var/tmp'),
    await ip('-4', 'addr'),
    await ip('route'),
    await ip('-6', 'route'),
    otherNamespaces,
  ].join('\n');
}

/** `dig +short` from pc: the A answer to whoami.lab.test, or null on a timeout. */
const dig = (timeoutSeconds = 1) => digWhoami(ns('pc'), timeoutSeconds);

describe.runIf(process.env.CI && !IS_ROOT)('seed 004 lab e2e under CI', () => {
  it('runs as root', () => {
    expect.fail('CI is set but the seed 004 lab e2e test is not running as root: run the suite as root');
  });
});

describe.runIf(IS_ROOT)('seed 004: DNS anycast over OSPF as a lab on this kernel', { timeout: 90_000 }, () => {
  let before = '';
  let state: LabState;
  let prober: Prober | undefined;
  const hostOf = (address: string) => state.dns?.find((d) => d.self === address)?.host ?? `unknown (${address})`;
  const frrOf = (host: string) => state.frr?.find((f) => f.host === host) as LabFrr;
  const vtyshJson = async (host: string, command: string) =>
    JSON.parse(await labVtysh(frrOf(host), [command], localRunner)) as Record<string, unknown>;
  /** R1's next hops to the VIP, from the kernel's table in its namespace. */
  const r1NextHops = () => vipNextHops(ns('r1'));

  /** Breaks the node that answers pc, waits until another node answers; reports the failover time. */
  async function failover(what: string, breakIt: (host: string) => Promise<unknown>, ms: number): Promise<Failover> {
    const f = await prober!.failover(hostOf, breakIt, ms);
    report(`${what} on ${f.victim}: ${f.successor} answers after ${f.ms} ms (no answer for ${f.silentMs} ms)`);
    return f;
  }

  beforeAll(async () => {
    if (!IS_ROOT) return;
    await labDown(LAB, localRunner);
    before = await hostSnapshot();
    const t0 = Date.now();
    const up = await runCli('lab', 'up', TOPOLOGY, '--name', LAB);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    report(`lab up (8 namespaces, 6 applies, 5 FRR instances, 3 dnsmasq): ${Date.now() - t0} ms`);
    state = (await readLabState(LAB))!;
    const t1 = Date.now();
    await waitFor(
      'pc answered through 6.6.6.6',
      () => dig(1),
      (a) => a !== null,
      30_000,
    );
    report(`OSPF convergence after lab up: pc first answered by 6.6.6.6 after ${Date.now() - t1} ms`);
  }, 90_000);

  afterAll(async () => {
    await prober?.stop();
    if (IS_ROOT) await labDown(LAB, localRunner);
    if (timings.length > 0) console.log(`seed004 timings:\n  ${timings.join('\n  ')}`);
  });

  it('runs FRR for both flavours inside the lab, reaching FULL adjacencies, and dnsmasq on 6.6.6.6 of each node', async () => {
    expect(state.frr?.map((f) => `${f.host}:${f.flavour}`).sort()).toEqual(['dns1:frr', 'dns2:frr', 'dns3:frr', 'r1:quagga', 'r2:quagga']);
    expect(state.dns?.map((d) => `${d.host}:${d.addresses.join()}:${d.self}`)).toEqual([
      'dns1:6.6.6.6,10.211.77.1:10.211.77.1',
      'dns2:6.6.6.6,10.211.77.2:10.211.77.2',
      'dns3:6.6.6.6,10.211.77.3:10.211.77.3',
    ]);
    const full = async (host: string) => {
      const { neighbors } = (await vtyshJson(host, 'show ip ospf neighbor json')) as {
        neighbors: Record<string, { converged?: string; nbrState: string }[]>;
      };
      return Object.entries(neighbors).flatMap(([id, list]) =>
        list.some((n) => (n.converged ?? n.nbrState.split('/')[0]) === 'Full') ? [id] : [],
      );
    };
    // quagga-style R2 with quagga-style R1 over the core; R1 with the frr.conf nodes (the DR and BDR of dnsnet:
    // DROthers stay 2-Way with each other, as OSPF wants); every node with somebody
    const { value: r1 } = await waitFor(
      'R1 FULL with R2 and two DNS nodes',
      () => full('r1'),
      (ids) => ids.includes('10.211.55.18') && ids.filter((i) => i.startsWith('10.211.77.')).length >= 2,
      20_000,
    );
    expect(await full('r2')).toEqual(['10.211.55.17']);
    for (const h of ['dns1', 'dns2', 'dns3']) expect((await full(h)).length).toBeGreaterThan(0);
    report(`FULL adjacencies: r1 (quagga style) with ${r1.join(', ')}; r2 (quagga style) with 10.211.55.17`);
    const daemons = await Promise.all(state.frr!.map(async (f) => `${f.host}:${[...(await frrDaemons(f)).keys()].sort().join('+')}`));
    expect(daemons.sort()).toEqual([
      'dns1:ospfd+staticd+zebra',
      'dns2:ospfd+staticd+zebra',
      'dns3:ospfd+staticd+zebra',
      'r1:ospfd+zebra',
      'r2:ospfd+zebra',
    ]);
    const status = await runCli('lab', 'status', '--name', LAB);
    expect(status.stdout).toMatch(/frr \(quagga-style files\) pid \d+:\n {4}Neighbor ID/);
    expect(status.stdout).toMatch(/dns server: 6\.6\.6\.6(, [\d.]+)* port 53/);
  });

  it('answers dig @6.6.6.6 whoami.lab.test from pc with a real DNS server, and R1 holds three equal-cost next hops', async () => {
    const answer = await dig(2);
    expect(answer).toMatch(/^10\.211\.77\.[123]$/);
    report(`dig @6.6.6.6 whoami.lab.test from pc: ${answer} (${hostOf(answer!)})`);
    const txt = await execa('ip', ['netns', 'exec', ns('pc'), 'dig', '+short', '+time=2', '+tries=1', `@${VIP}`, 'whoami.lab.test', 'TXT']);
    expect(txt.stdout.trim()).toBe(`"${hostOf(answer!)}"`);
    const { value: hops } = await waitFor('R1 with three next hops to 6.6.6.6', r1NextHops, (h) => h.length === 3, 10_000);
    expect(hops).toEqual(['10.211.77.1', '10.211.77.2', '10.211.77.3']);
    const route = (await vtyshJson('r1', `show ip route ${VIP}/32 json`))[`${VIP}/32`] as {
      protocol: string;
      metric: number;
      nexthops: { ip: string; fib?: boolean }[];
    }[];
    expect(route[0]).toMatchObject({ protocol: 'ospf', metric: 20 });
    expect(
      route[0]!.nexthops
        .filter((n) => n.fib)
        .map((n) => n.ip)
        .sort(),
    ).toEqual(hops);
    report(`ECMP on r1: ${VIP}/32 via ${hops.join(', ')} (ospf, metric 20, all three in the FIB)`);
  });

  it('fails over when the answering node withdraws its VIP, loses its link, or its ospfd dies', async () => {
    prober = new Prober(ns('pc'));
    await prober.next(0, () => true, 5000);
    const allThree = () => waitFor('R1 back to three next hops', r1NextHops, (h) => h.length === 3, 15_000);

    const ip = (host: string, ...args: string[]) => execa('ip', ['-n', ns(host), ...args]);
    // the seed's timers (hello 1, dead 3, spf throttle 0 50 1000): a withdrawn VIP is a new router LSA, at once
    const withdrawn = await failover(
      'VIP withdrawn (ip addr del 6.6.6.6/32 dev lo)',
      (h) => ip(h, 'addr', 'del', `${VIP}/32`, 'dev', 'lo'),
      10_000,
    );
    expect(withdrawn.ms).toBeLessThan(1000);
    await ip(withdrawn.victim, 'addr', 'add', `${VIP}/32`, 'dev', 'lo');
    report(`VIP back on ${withdrawn.victim}: R1 has three next hops again after ${(await allThree()).ms} ms`);

    // the cut node's new router LSA reaches R1 at once over the internet segment and dnsnet's DR (R1 takes it at once
    // because the lab sets its LSA min-arrival to 0, as the topology asks: src/lab/frr.ts); no dead interval to wait for
    const unlinked = await failover('link down (ip link set eth0 down)', (h) => ip(h, 'link', 'set', 'eth0', 'down'), 10_000);
    expect(unlinked.ms).toBeLessThan(5000);
    await ip(unlinked.victim, 'link', 'set', 'eth0', 'up');
    report(`eth0 of ${unlinked.victim} up again: R1 has three next hops again after ${(await allThree()).ms} ms`);

    // a dead ospfd says nothing: R1 waits for the dead interval (3 s, of which up to one hello interval had passed)
    const killed = await failover(
      'ospfd killed (SIGKILL by PID in its FRR instance)',
      async (h) => {
        const pid = (await frrDaemons(frrOf(h))).get('ospfd');
        expect(pid).toBeDefined();
        process.kill(pid!, 'SIGKILL');
      },
      15_000,
    );
    // Usually 2-2.5 s (the dead interval); no lower bound asserted: under load another node was seen answering within ms.
    expect(killed.ms).toBeLessThan(5000);
    await prober.stop();
    prober = undefined;
  });

  it('lab down leaves no namespace, no process, no state dir, and this machine as it was', async () => {
    const pids = [...state.frr!.map((f) => f.pid), ...state.dns!.map((d) => d.pid)];
    const daemonPids = (await Promise.all(state.frr!.map(async (f) => [...(await frrDaemons(f)).values()]))).flat();
    expect(daemonPids.length).toBeGreaterThanOrEqual(12); // one ospfd was killed above
    const down = await runCli('lab', 'down', '--name', LAB);
    expect(down).toMatchObject({ code: 0, stderr: '' });
    expect(await liveNamespaces(localRunner, LAB)).toEqual([]);
    expect(await exists(labDir(LAB))).toBe(false);
    const alive = async (pid: number) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      return stat !== '' && !/^\d+ \(.*\) [ZX]/.test(stat);
    };
    for (const pid of [...pids, ...daemonPids]) expect(await alive(pid)).toBe(false);
    const strays = [];
    for (const p of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
      const cmdline = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(`${labDir(LAB)}/`)) strays.push(`${p}: ${cmdline.replace(/\0/g, ' ')}`);
    }
    expect(strays).toEqual([]);
    expect(await hostSnapshot()).toBe(before);
  });
});
