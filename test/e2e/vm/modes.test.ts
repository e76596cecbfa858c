// Proof on a real IPVS kernel (the qemu VM) for DR, NAT, TUN and FullNAT: one guest job (modes.sh) builds the four
// example topologies with `lbctl lab up`, one after another, sends real HTTP requests (and DNS queries to the NAT
// lab's UDP service), re-applies, edits a weight, drains a real server and fails an apply half-way; its last step
// checks dns-six-load-balancers.yaml with `lbctl lab run` (DNS names to six VIPs, each VIP to its own two real
// servers) and takes it down. Each step has its own limit inside the job's budget; these tests read what the steps
// recorded, and a failure shows the steps finished, the process snapshots of a step killed at its limit and the
// guest console. On by default, off with LBCTL_VM_TESTS=0 (needs qemu-system-x86 busybox-static kmod cpio xz-utils
// ipvsadm curl nftables dnsmasq-base bind9-dnsutils).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmResult } from '../../../src/lab/vm/runner.js';
import { destinations, itRanEveryStep, runSteppedJob } from './job-outcome.js';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';
if (!ENABLED) console.log('VM e2e tests (modes) skipped: LBCTL_VM_TESTS=0 was set; unset it to boot the IPVS kernel under qemu');

const JOB = join(import.meta.dirname, 'modes.sh');
const REQUESTS = 60;
/** The whole job's wall-clock budget, boot included: qemu is killed after it; the job's steps end before it. */
const BUDGET_S = 1080;

/** Per lab: the topology, its web service's real servers (weights for wrr) and the client address they must see. */
const LABS = {
  dr: { topology: 'dr-web', wrr: { web1: 3, web2: 2, web3: 1 }, sees: '192.168.10.50' },
  nat: { topology: 'nat-port-mapping', servers: ['app1', 'app2', 'app3'], sees: '203.0.113.50' },
  // The client is the data-centre router (the topology has no client host): its edge address.
  tun: { topology: 'tun-three-datacentres', wrr: { 'rs-tokyo': 3, 'rs-beijing': 2, 'rs-newyork': 1 }, sees: '203.0.113.1' },
  // FullNAT: the director's LIP (eth1 on network lb), also for app3 behind router ar1.
  fn: { topology: 'fullnat', servers: ['app1', 'app2', 'app3'], sees: '10.20.0.5' },
} as const satisfies Record<string, { topology: string; wrr?: Record<string, number>; servers?: readonly string[]; sees: string }>;
type Lab = keyof typeof LABS;

/**
 * Asserts the answers per server against their weighted shares of `requests` (wrr, or rr with equal weights). Both
 * schedulers are deterministic and the request counts are whole rounds, so the shares are normally exact; yet one
 * CI run under heavy load saw 30/19/11 for wrr 3:2:1 (cause not found). One request either way per server still
 * tells wrr from rr or ignored weights; any deviation prints `evidence` (the answer order, IPVS's counters and
 * connection table) for the next look.
 */
async function expectShares(
  counts: Record<string, number>,
  weights: Record<string, number>,
  requests: number,
  evidence: () => Promise<string>,
) {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const share = Object.fromEntries(Object.entries(weights).map(([s, w]) => [s, (requests * w) / total]));
  if (Object.entries(share).some(([s, n]) => counts[s] !== n))
    console.log(`shares not exact: ${JSON.stringify(counts)}\n${await evidence()}`);
  expect(Object.keys(counts).sort()).toEqual(Object.keys(share).sort());
  for (const [server, n] of Object.entries(share))
    expect(Math.abs(counts[server]! - n), `${server}: ${counts[server]} of ${requests}, share ${n}`).toBeLessThanOrEqual(1);
}

describe.skipIf(!ENABLED)('DR, NAT, TUN and FullNAT labs on the IPVS kernel', () => {
  let results: string;
  let run: VmResult;
  const read = (lab: Lab, file: string) =>
    readFile(join(results, lab, file), 'utf8').catch(() => {
      throw new Error(`the job wrote no ${lab}/${file}: its step did not finish (see "runs every step within its limit")`);
    });
  const code = async (lab: Lab, name: string) => Number((await read(lab, `${name}.rc`)).trim());
  /** The answers: [server name, client address it saw] per request. */
  const answers = async (lab: Lab) => {
    const lines = (await read(lab, 'requests.txt')).split('\n').filter(Boolean);
    return Array.from({ length: lines.length / 2 }, (_, i) => [lines[2 * i]!, lines[2 * i + 1]!] as const);
  };

  beforeAll(
    async () => {
      ({ results, run } = await runSteppedJob(JOB, BUDGET_S, 2048));
    },
    BUDGET_S * 1000 + 60_000,
  );
  afterAll(() => rm(results, { recursive: true, force: true }));

  itRanEveryStep(() => ({ results, run }));

  describe.each(Object.keys(LABS) as Lab[])('%s', (lab) => {
    const spec: { topology: string; wrr?: Record<string, number>; servers?: readonly string[]; sees: string } = LABS[lab];

    it(`lbctl lab up builds topologies/${spec.topology}.yaml and applies every host`, async () => {
      expect({ rc: await code(lab, 'up'), output: await read(lab, 'up.txt') }).toMatchObject({
        rc: 0,
        output: expect.stringContaining(`lab ${lab} is up`),
      });
    });

    it(`answers all ${REQUESTS} requests, from every real server${spec.wrr ? ', in proportion to the wrr weights' : ''}`, async () => {
      expect(await code(lab, 'curl')).toBe(0);
      const got = await answers(lab);
      expect(got).toHaveLength(REQUESTS);
      const counts: Record<string, number> = {};
      for (const [server] of got) counts[server] = (counts[server] ?? 0) + 1;
      if (spec.wrr) {
        const order = got.map(([s]) => s).join(' ');
        await expectShares(
          counts,
          spec.wrr,
          REQUESTS,
          async () =>
            `${lab}: answers in order: ${order}\n${await read(lab, 'ipvs-stats-after-requests.txt')}${await read(lab, 'ipvs-conns-after-requests.txt')}`,
        );
      } else {
        expect(Object.keys(counts).sort()).toEqual([...spec.servers!]);
      }
    });

    it(`the real servers see ${lab === 'fn' ? "the director's address (FullNAT)" : "the client's address"}: ${spec.sees}`, async () => {
      expect(new Set((await answers(lab)).map(([, seen]) => seen))).toEqual(new Set([spec.sees]));
    });

    it('a second apply on the director changes nothing', async () => {
      expect(await code(lab, 'reapply')).toBe(0);
      expect(await read(lab, 'reapply.txt')).toContain('host director matches the topology: nothing to do');
    });
  });

  it('NAT: the UDP DNS service (VIP :53 to :5353, rr) answers 12 queries from 12 source ports, 6 from each resolver', async () => {
    expect(await read('nat', 'up.txt')).toMatch(/app1: DNS server \(dnsmasq\) on 10\.10\.0\.11 port 5353/);
    const names = (await read('nat', 'dns-answers.txt')).split('\n').filter(Boolean);
    expect(names).toHaveLength(12);
    const counts: Record<string, number> = {};
    for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
    await expectShares(counts, { '"app1"': 1, '"app2"': 1 }, 12, async () => `nat: answers in order: ${names.join(' ')}`);
  });

  it("DR: the client's neighbour entry for the VIP is the director's MAC, no real server's (arp_ignore/arp_announce)", async () => {
    const mac = async (host: string) => (JSON.parse(await read('dr', `link-${host}.json`)) as { address: string }[])[0]!.address;
    const [neigh] = JSON.parse(await read('dr', 'client-neigh.json')) as { lladdr: string }[];
    expect(neigh?.lladdr).toBe(await mac('director'));
    for (const web of ['web1', 'web2', 'web3']) expect(neigh?.lladdr).not.toBe(await mac(web));
  });

  it('DR: one edited weight is one IPVS change, and the kernel has the new weight', async () => {
    expect(await code('dr', 'weight-apply')).toBe(0);
    const out = await read('dr', 'weight-apply.txt');
    expect(out.match(/^ {2}[+~-] ipvs-/gm)).toEqual(['  ~ ipvs-']);
    expect(out).toContain('~ ipvs-destination tcp 192.168.10.100:80 192.168.10.22:80  gate, weight 4 (was gate, weight 2)');
    expect(out).toMatch(/applied \d+ change\(s\) with \d+ process\(es\); host director verified converged/);
    const table = destinations(await read('dr', 'weight-ipvs.txt'), '192.168.10.100:80');
    expect([...table].map(([d, [w]]) => [d, w])).toEqual([
      ['192.168.10.21:80', 3],
      ['192.168.10.22:80', 4],
      ['192.168.10.23:80', 1],
    ]);
  });

  it('DR: a removed real server with an open connection drains (weight 0), and is deleted once its connections end', async () => {
    const held = destinations(await read('dr', 'drain-held-ipvs.txt'), '192.168.10.100:80');
    expect(held.get('192.168.10.23:80')?.[1]).toBeGreaterThan(0);
    expect(await code('dr', 'drain-start')).toBe(0);
    expect(await read('dr', 'drain-start.txt')).toMatch(/draining tcp 192\.168\.10\.100:80 192\.168\.10\.23:80: \d+ active connection/);
    const draining = destinations(await read('dr', 'drain-start-ipvs.txt'), '192.168.10.100:80');
    expect(draining.get('192.168.10.23:80')?.[0]).toBe(0);
    expect(draining.get('192.168.10.21:80')?.[0]).toBe(3);
    expect(await code('dr', 'drain-end')).toBe(0);
    expect(await read('dr', 'drain-end.txt')).toContain('- ipvs-destination tcp 192.168.10.100:80 192.168.10.23:80');
    const after = destinations(await read('dr', 'drain-end-ipvs.txt'), '192.168.10.100:80');
    expect([...after.keys()]).toEqual(['192.168.10.21:80', '192.168.10.22:80']);
    // web3 still serves web-tls
    expect(destinations(await read('dr', 'drain-end-ipvs.txt'), '192.168.10.100:443').has('192.168.10.23:443')).toBe(true);
  });

  it('DR: an apply whose ipvsadm -R fails half-way exits 3 and leaves the IPVS table and addresses as they were', async () => {
    expect(await code('dr', 'fail-apply')).toBe(3);
    const out = await read('dr', 'fail-apply.txt');
    expect(out).toContain('ipvsadm -R (test wrapper): failing after');
    expect(out).toMatch(/rolled back [1-9]\d* change\(s\) in reverse order/);
    const before = await read('dr', 'fail-before-save.txt');
    expect(before).toContain('-A -t 192.168.10.100:80 -s wrr');
    expect(await read('dr', 'fail-after-save.txt')).toBe(before);
    expect(await read('dr', 'fail-after-addr.txt')).toBe(await read('dr', 'fail-before-addr.txt'));
  });

  describe('dns-six-load-balancers.yaml with lbctl lab run (lab six, the last step of the same job)', () => {
    const VIPS = ['203.0.113.101', '203.0.113.102', '203.0.113.103', '203.0.113.104', '203.0.113.105', '203.0.113.106'];
    const output = () => readFile(join(results, 'six', 'run.txt'), 'utf8');

    it('comes up (22 namespaces, 20 applies, 2 DNS servers, 12 web servers), passes its check and comes down: exit 0', async () => {
      const out = await output();
      expect({ rc: Number((await readFile(join(results, 'six', 'run.rc'), 'utf8')).trim()), out }).toMatchObject({ rc: 0 });
      expect(out).toContain('built 22 namespaces, 7 bridges, 30 veth pairs');
      expect(out.match(/^\w+: (applied \d+ change|host \w+ matches)/gm)).toHaveLength(20);
      expect(out).toContain('dnslb1: DNS server (dnsmasq) on 203.0.113.53 port 53');
      expect(out).toContain('check: passed');
      expect(out).toContain('lab six removed: 22 namespace(s), 12 web server(s), 2 daemon(s)');
    });

    it("both DNS load balancers answer hello.vip.mycompany.com with the six VIPs, and lbN.hello.vip with LBN's", async () => {
      const out = await output();
      for (const [server, address] of [
        ['dnslb1', '203.0.113.53'],
        ['dnslb2', '203.0.113.54'],
      ]) {
        const block = out.slice(out.indexOf(`check: zone mycompany.com on ${server} (@${address}) from gw`)).split('\n');
        expect(block[0]).toBe(
          `check: zone mycompany.com on ${server} (@${address}) from gw: 7 of 7 names answered with the topology's records: ok`,
        );
        const answers = new Map(block.slice(1, 8).map((l) => /^check: {3}(\S+): (.*)$/.exec(l)!.slice(1, 3) as [string, string]));
        expect(answers.get('hello.vip.mycompany.com')?.split(' ').sort()).toEqual(VIPS);
        VIPS.forEach((vip, i) => expect(answers.get(`lb${i + 1}.hello.vip.mycompany.com`)).toBe(vip));
      }
    });

    it("each VIP's 12 requests are all answered, only by that load balancer's own two real servers (wrr 2:1)", async () => {
      const out = await output();
      for (const [i, vip] of VIPS.entries()) {
        const n = i + 1;
        const m = new RegExp(
          `^check: service hello-lb${n} ${vip.replace(/\./g, '\\.')}:443 \\((\\w+), (dr|nat)\\) from gw, 12 requests: (.*); the servers saw client 203\\.0\\.113\\.1: ok$`,
          'm',
        ).exec(out);
        expect(m, `hello-lb${n}`).not.toBeNull();
        const counts = Object.fromEntries(m![3]!.split(', ').map((c) => [c.split(' ')[0]!, Number(c.split(' ')[1])]));
        expect(
          Object.keys(counts).every((h) => h === `hello${n}a` || h === `hello${n}b`),
          JSON.stringify(counts),
        ).toBe(true);
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(12);
        if (m![1] === 'wrr') await expectShares(counts, { [`hello${n}a`]: 2, [`hello${n}b`]: 1 }, 12, async () => m![0]);
      }
    });

    it('leaves nothing in the guest: no lbl-six-* namespace, no /run/lbctl-lab/six', async () => {
      expect(await readFile(join(results, 'six', 'left.txt'), 'utf8')).toBe('');
    });
  });
});
