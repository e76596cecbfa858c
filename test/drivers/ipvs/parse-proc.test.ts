// The /proc/net/ip_vs parser against the file as a real kernel wrote it (Debian 12's kernel in the VM: captured
// after ipvsadm made one service of each kind), every expected weight written out; and the lines it refuses.
import { describe, expect, it } from 'vitest';
import { parseProcIpvs } from '../../../src/drivers/ipvs/parse-proc.js';
import { ParseError } from '../../../src/drivers/parse-error.js';
import { fixture } from '../../observed/fixtures.js';

describe('parseProcIpvs on real-all-kinds.txt', () => {
  const weights = parseProcIpvs(fixture('proc-ip-vs/real-all-kinds.txt'));
  const table = Object.fromEntries([...weights].map(([service, ds]) => [service, Object.fromEntries(ds)]));

  it('reads every service and destination with its weight, keyed as lbctl keys them', () => {
    expect(table).toEqual({
      'tcp 192.0.2.10:443': { '198.51.100.12:443': 2, '198.51.100.11:443': 1 },
      'sctp 10.0.0.100:9': { '10.0.0.11:9': 1 },
      'tcp [2001:db8::100]:80': { '[2001:db8::11]:80': 5 },
      'udp 10.0.0.53:53': { '10.0.0.21:53': 1 },
      'tcp 10.0.0.100:80': { '10.0.0.12:8080': 0, '10.0.0.11:8080': 3 },
      'fwmark 1279394031': { '10.0.0.11:0': 1 },
      'fwmark 7 inet6': { '[2001:db8::11]:0': 1 },
      'fwmark 8': {},
    });
  });
});

describe('parseProcIpvs refuses what the kernel does not write', () => {
  const head =
    'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';
  it.each([
    ['TCP  10.0.0.100:80 rr', 'line 4'],
    ['  -> 0A00000B:1F90      Masq    1      0          0', 'line 4'],
    ['ICMP  0A000064:0050 rr', 'line 4'],
    ['TCP  0A000064:0050 rr\n  -> 0A00000B:1F90      Masq    x      0          0', 'line 5'],
  ])('%j', (lines, where) => {
    expect(() => parseProcIpvs(`${head}${lines}\n`)).toThrow(ParseError);
    expect(() => parseProcIpvs(`${head}${lines}\n`)).toThrow(where);
  });
});
