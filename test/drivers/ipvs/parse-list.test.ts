import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listingOf, parseIpvsadmThresholds } from '../../../src/drivers/ipvs/parse-list.js';
import { observedFromCaptures } from '../../../src/observed/captures.js';
import { ParseError } from '../../../src/drivers/parse-error.js';

// The layout of ipvsadm 1.31's list with --thresholds, as captured in test/fixtures/observed/ipvsadm-list/.
const LISTING = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn
  -> RemoteAddress:Port
TCP  10.0.0.100:80 wrr
  -> 10.0.1.10:80                 100        50         7          12
  -> 10.0.1.11:80                 0          0          0          0
TCP  [2001:db8::100]:443 wlc persistent 300
  -> [2001:db8::10]:443           0          0          2          0
FWM  7 rr
  -> 10.0.1.12:0                  10         5          1          1
`;

describe('ipvsadm -Ln --thresholds', () => {
  it('reads thresholds and connection counts per destination', () => {
    const c = parseIpvsadmThresholds(LISTING);
    expect([...c.keys()]).toEqual(['tcp 10.0.0.100:80', 'tcp [2001:db8::100]:443', 'fwmark 7']);
    expect(c.get('tcp 10.0.0.100:80')?.get('10.0.1.10:80')).toEqual({ upper: 100, lower: 50, activeConns: 7, inactiveConns: 12 });
    expect(c.get('tcp [2001:db8::100]:443')?.get('[2001:db8::10]:443')).toEqual({ upper: 0, lower: 0, activeConns: 2, inactiveConns: 0 });
    expect(c.get('fwmark 7')?.get('10.0.1.12:0')?.upper).toBe(10);
  });

  it('rejects a destination before any service, naming the line', () => {
    expect(() => parseIpvsadmThresholds('  -> 10.0.1.10:80 0 0 0 0\n')).toThrow(ParseError);
    expect(() => parseIpvsadmThresholds('TCP  10.0.0.100:80 wrr\n  -> 10.0.1.10:80 x 0 0 0\n')).toThrow(/line 2/);
  });

  it('reads the real listing captured on a kernel with IPVS (fwmark, IPv6, every scheduler)', () => {
    const c = parseIpvsadmThresholds(
      readFileSync(new URL('../../fixtures/observed/ipvsadm-list/real-all-options-thresholds.txt', import.meta.url), 'utf8'),
    );
    expect(c.get('tcp 192.0.2.1:80')?.get('198.51.100.2:8080')).toEqual({ upper: 100, lower: 10, activeConns: 0, inactiveConns: 0 });
    expect(c.get('tcp [2001:db8::1]:80')?.get('[2001:db8:1::2]:8080')?.upper).toBe(50);
    expect(c.has('fwmark 2 inet6')).toBe(true);
    expect(c.has('fwmark 4000000000')).toBe(true);
  });

  it('merges into the observed services; without it thresholds are marked unobserved', () => {
    const save = '-A -t 10.0.0.100:80 -s wrr\n-a -t 10.0.0.100:80 -r 10.0.1.10:80 -g -w 3\n';
    const seen = observedFromCaptures('d', { ipvs: save, ipvsList: LISTING });
    expect(seen.state.ipvs[0]?.destinations[0]).toMatchObject({ upper: 100, lower: 50, activeConns: 7 });
    expect(seen.state.unobserved).toBeUndefined();
    const blind = observedFromCaptures('d', { ipvs: save });
    expect(blind.state.unobserved).toEqual(['ipvs-thresholds']);
    expect(blind.warnings.join('\n')).toContain('thresholds (-x/-y) are not compared');
  });
});

describe('a listing fed where --thresholds belongs', () => {
  // ipvsadm 1.31's print_title: --persistent-conn has as many columns as --thresholds (weight where Uthreshold is).
  const PERSISTENT = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn
  -> RemoteAddress:Port
TCP  10.0.0.100:80 wrr
  -> 10.0.1.10:80                 1         0           0          0
`;
  const PLAIN = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.100:80 wrr
  -> 10.0.1.10:80                 Route   1      0          0
`;

  it('says which listing it is instead of reading weights as thresholds', () => {
    expect(() => parseIpvsadmThresholds(PERSISTENT)).toThrow(
      /line 2: this is the `ipvsadm -Ln --persistent-conn` listing, not `ipvsadm -Ln --thresholds` output/,
    );
    expect(() => parseIpvsadmThresholds(PLAIN)).toThrow(/line 2: this is the `ipvsadm -Ln` listing/);
    expect(() => parseIpvsadmThresholds('Prot LocalAddress:Port Foo Bar\n')).toThrow(/unknown columns/);
  });

  it('tells each listing by its header', () => {
    expect(listingOf('Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn')).toBe('thresholds');
    expect(listingOf('Prot LocalAddress:Port                 Conns   InPkts  OutPkts  InBytes OutBytes')).toBe('stats');
    expect(listingOf('Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS')).toBe('rate');
    expect(listingOf('TCP  10.0.0.100:80 wrr')).toBeNull();
  });
});
