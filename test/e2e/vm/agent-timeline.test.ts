// The agent jobs' table reader and what the test makes of it, without a VM: agent-lib.sh's ipvs_table on a table as
// the kernel prints it in /proc/net/ip_vs, read back by readTables, is the table ipvsadm-save -n lists, service for
// service (savedTable): what agent.test.ts compares to tell a missing service from a misread one.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTables, savedTable, showTable, type TableAt } from './agent-timeline.js';

const LIB = join(import.meta.dirname, 'agent-lib.sh');

/** The DR lab's director's table as Linux 6.1 prints it in /proc/net/ip_vs (a fwmark service of a VIP-path check too). */
const PROC = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
  'TCP  C0A80A64:01BB sh  persistent 600 FFFFFFFF',
  '  -> C0A80A17:01BB      Route   1      0          0         ',
  '  -> C0A80A15:01BB      Route   1      0          0         ',
  'TCP  C0A80A64:0050 wrr  ',
  '  -> C0A80A17:0050      Route   1      0          0         ',
  '  -> C0A80A16:0050      Route   0      2          1         ',
  '  -> C0A80A15:0050      Route   3      0          0         ',
  'UDP  C0A80A64:0035 rr  ',
  'FWM  4C420122 rr ',
  '  -> C0A80A15:0000      Route   1      0          0         ',
  '',
].join('\n');

/** The same table as ipvsadm-save -n lists it. */
const SAVED = `-A -t 192.168.10.100:80 -s wrr
-a -t 192.168.10.100:80 -r 192.168.10.21:80 -g -w 3
-a -t 192.168.10.100:80 -r 192.168.10.22:80 -g -w 0
-a -t 192.168.10.100:80 -r 192.168.10.23:80 -g -w 1
-A -t 192.168.10.100:443 -s sh -p 600
-a -t 192.168.10.100:443 -r 192.168.10.21:443 -g -w 1
-a -t 192.168.10.100:443 -r 192.168.10.23:443 -g -w 1
-A -u 192.168.10.100:53 -s rr
-A -f 1279394082 -s rr
-a -f 1279394082 -r 192.168.10.21:0 -g -w 1
`;

/** A table as a plain object: comparisons blind to the order the kernel lists services in. */
const plain = (services: TableAt['services'] | undefined) =>
  Object.fromEntries([...(services ?? [])].map(([key, d]) => [key, Object.fromEntries(d)]));

describe("agent-lib.sh's ipvs_table, read back by readTables, and savedTable", () => {
  let dir: string;
  let read: TableAt[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lbctl-agent-timeline-'));
    await mkdir(join(dir, 'net'));
    await writeFile(join(dir, 'net/ip_vs'), PROC);
    // ipvs_table PID reads /proc/PID/net/ip_vs: a "PID" of ../DIR reads DIR/net/ip_vs
    const pid = relative('/proc', dir);
    const script = `. "$1"; ipvs_table "$2"; echo "1700000000000 $REPLY" >"$3"; [[ $- != *f* ]]`;
    await execa('bash', ['-c', script, 'bash', LIB, pid, join(dir, 'ipvs.txt')]);
    read = await readTables(join(dir, 'ipvs.txt'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads every service and destination with its weight, as ipvsadm-save -n lists them', () => {
    expect(read.map((t) => t.at)).toEqual([1700000000000]);
    expect(plain(read[0]!.services)).toEqual(plain(savedTable(SAVED)));
    expect(plain(savedTable(SAVED))).toEqual({
      'TCP 192.168.10.100:80': { '192.168.10.21:80': 3, '192.168.10.22:80': 0, '192.168.10.23:80': 1 },
      'TCP 192.168.10.100:443': { '192.168.10.21:443': 1, '192.168.10.23:443': 1 },
      'UDP 192.168.10.100:53': {},
      'FWM 4C420122': { '192.168.10.21:0': 1 },
    });
  });

  it('shows a table one service a line, in the order read', () => {
    expect(showTable(read[0]!.services)).toBe(
      [
        '  TCP 192.168.10.100:443: 192.168.10.23:443 w1, 192.168.10.21:443 w1',
        '  TCP 192.168.10.100:80: 192.168.10.23:80 w1, 192.168.10.22:80 w0, 192.168.10.21:80 w3',
        '  UDP 192.168.10.100:53: no destination',
        '  FWM 4C420122: 192.168.10.21:0 w1',
      ].join('\n'),
    );
    expect(showTable(undefined)).toBe('  (none)');
  });
});
