// Boots the IPVS VM once and checks, from real captures, that every ipvsadm-save option round-trips, and that the agent
// jobs' reader of /proc/PID/net/ip_vs sees a namespace's whole table while other namespaces hold services too.
// On by default, off with LBCTL_VM_TESTS=0 (needs qemu-system-x86 busybox-static kmod cpio xz-utils ipvsadm; ~10-30 s).
// LBCTL_VM_UPDATE_FIXTURES=1 also copies the captures over test/fixtures/observed/.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInVm, type VmResult } from '../../../src/lab/vm/runner.js';
import { readTables, savedTable, type TableAt } from './agent-timeline.js';
import { expectJobCompleted } from './job-outcome.js';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';
if (!ENABLED) console.log('VM e2e tests skipped: LBCTL_VM_TESTS=0 was set; unset it to boot the IPVS kernel under qemu');

const JOB = join(import.meta.dirname, 'ipvs-smoke.sh');
const FIXTURES = join(import.meta.dirname, '../../fixtures/observed');

/** What ipvsadm-save -n prints for the table ipvs-smoke.sh loads into namespace allopts. */
const ALL_OPTIONS = `
-A -f -294967296 -s rr
-A -t 192.0.2.1:80 -s wrr
-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 3
-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 2
-a -t 192.0.2.1:80 -r 198.51.100.3:80 -i -w 1 --tun-type ipip
-a -t 192.0.2.1:80 -r 198.51.100.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
-a -t 192.0.2.1:80 -r 198.51.100.5:80 -i -w 1 --tun-type gue --tun-port 6081 --tun-remcsum
-a -t 192.0.2.1:80 -r 198.51.100.6:80 -i -w 1 --tun-type gre --tun-nocsum
-a -t 192.0.2.1:80 -r 198.51.100.7:80 -g -w 0
-A -t 192.0.2.2:443 -s sh -p 300 -M 255.255.255.0 -b sh-fallback,sh-port
-a -t 192.0.2.2:443 -r 198.51.100.1:443 -g -w 2
-A -t 192.0.2.3:80 -s mh -b mh-fallback,mh-port
-a -t 192.0.2.3:80 -r 198.51.100.1:80 -g -w 1
-A -t 192.0.2.4:80 -s wlc -p 360
-A -t 192.0.2.6:22 -s lc -p 3600 -b flag-1,flag-3
-a -t 192.0.2.6:22 -r 198.51.100.1:22 -g -w 1
-A -t 192.0.2.9:8001 -s lblc
-A -t 192.0.2.9:8002 -s lblcr
-A -t 192.0.2.9:8003 -s dh
-A -t 192.0.2.9:8004 -s ovf
-A -u 192.0.2.1:53 -s rr -o
-a -u 192.0.2.1:53 -r 198.51.100.1:5353 -m -w 1
-A -u 192.0.2.5:5060 -s rr -p 60 --pe sip -o
-a -u 192.0.2.5:5060 -r 198.51.100.1:5060 -m -w 1
-A --sctp-service 192.0.2.1:3868 -s lc
-a --sctp-service 192.0.2.1:3868 -r 198.51.100.1:3868 -g -w 1
-A -t [2001:db8::1]:80 -s sed -p 120 -M 64
-a -t [2001:db8::1]:80 -r [2001:db8:1::1]:80 -g -w 5
-a -t [2001:db8::1]:80 -r [2001:db8:1::2]:8080 -m -w 1
-a -t [2001:db8::1]:80 -r [2001:db8:1::3]:80 -i -w 1 --tun-type ipip
-A -u [2001:db8::1]:53 -s nq -o
-A --sctp-service [2001:db8::1]:3868 -s fo
-A -f 1 -s wlc -p 60
-a -f 1 -r 198.51.100.1:0 -g -w 1
-a -f 1 -r 198.51.100.2:8080 -m -w 1
-A -f 2 -6 -s rr -p 90 -M 64
-a -f 2 -6 -r [2001:db8:1::1]:0 -g -w 1
`;

/** What ipvsadm-save -n prints for the DR + NAT + TUN table in namespace drnattun. */
const DR_NAT_TUN = `
-A -t 192.0.2.10:80 -s rr
-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1
-a -t 192.0.2.10:80 -r 198.51.100.12:80 -g -w 1
-A -t 192.0.2.20:80 -s wlc
-a -t 192.0.2.20:80 -r 198.51.100.21:8080 -m -w 1
-a -t 192.0.2.20:80 -r 198.51.100.22:8080 -m -w 2
-A -t 192.0.2.30:80 -s wrr
-a -t 192.0.2.30:80 -r 203.0.113.31:80 -i -w 1 --tun-type ipip
-a -t 192.0.2.30:80 -r 203.0.113.32:80 -i -w 1 --tun-type ipip
`;

/** The NAT table ipvs-smoke.sh loads into namespaces nat1 ... nat4, as ipvsadm-save -n prints it. */
const NAT = `
-A -t 203.0.113.10:80 -s wlc
-a -t 203.0.113.10:80 -r 10.10.0.11:8080 -m -w 3
-a -t 203.0.113.10:80 -r 10.10.0.12:8080 -m -w 2
-a -t 203.0.113.10:80 -r 10.10.0.13:8080 -m -w 1
-A -t 203.0.113.10:443 -s sh -b sh-fallback
-a -t 203.0.113.10:443 -r 10.10.0.11:8443 -m -w 1
-a -t 203.0.113.10:443 -r 10.10.0.12:8443 -m -w 1
-A -u 203.0.113.10:53 -s rr
-a -u 203.0.113.10:53 -r 10.10.0.11:5353 -m -w 1
-a -u 203.0.113.10:53 -r 10.10.0.12:5353 -m -w 1
`;

const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort();
/** A table as a plain object, for comparisons blind to the order the kernel lists services in. */
const plain = (services: TableAt['services'] | undefined) =>
  Object.fromEntries([...(services ?? [])].map(([key, d]) => [key, Object.fromEntries(d)]));

describe.skipIf(!ENABLED)('IPVS kernel in the qemu VM', () => {
  let results: string;
  let run: VmResult;
  const capture = (path: string) => readFile(join(results, path), 'utf8');

  beforeAll(async () => {
    results = await mkdtemp(join(tmpdir(), 'lbctl-vm-smoke-'));
    run = await runInVm({ command: ['sh', JOB, results], resultsDir: results, timeoutMs: 240_000 });
    console.log(`VM smoke job: ${run.durationMs} ms from prepare to qemu exit`);
    if (run.exitCode === 0 && process.env.LBCTL_VM_UPDATE_FIXTURES === '1')
      await cp(results, FIXTURES, { recursive: true, filter: (path) => !path.includes('/proc-read') });
  }, 300_000);
  afterAll(() => rm(results, { recursive: true, force: true }));

  it('runs the job to completion', () => expectJobCompleted(run));

  it('ipvsadm-save -n prints every service and destination option that was set', async () => {
    expect(sortedLines(await capture('ipvsadm-save/real-all-options.txt'))).toEqual(sortedLines(ALL_OPTIONS));
  });

  it('thresholds (-x/-y), which ipvsadm-save omits, show in ipvsadm -Ln --thresholds', async () => {
    const listing = await capture('ipvsadm-list/real-all-options-thresholds.txt');
    expect(listing).toMatch(/-> 198\.51\.100\.2:8080 +100 +10 /);
    expect(listing).toMatch(/-> \[2001:db8:1::2\]:8080 +50 +5 /);
  });

  it('ipvsadm-save -n prints a DR + NAT + TUN table', async () => {
    expect(sortedLines(await capture('ipvsadm-save/real-dr-nat-tun.txt'))).toEqual(sortedLines(DR_NAT_TUN));
  });

  it("agent-lib.sh's ipvs_table reads each namespace's whole table while others hold services too", async () => {
    const read = await Promise.all(
      [1, 2, 3, 4].map(async (n) => plain((await readTables(join(results, `proc-read/nat${n}.txt`)))[0]?.services)),
    );
    expect(read).toEqual([1, 2, 3, 4].map(() => plain(savedTable(NAT))));
  });

  it('ip -j -d link show reports tunl0 as an up ipip device', async () => {
    const links = JSON.parse(await capture('ip-link-tunl0.json')) as Array<Record<string, unknown>>;
    expect(links.find((link) => link.ifname === 'tunl0')).toMatchObject({
      flags: expect.arrayContaining(['UP']),
      link_type: 'ipip',
      linkinfo: { info_kind: 'ipip' },
    });
  });
});
