// The IPVS connection table parser on tables captured from real directors (test/fixtures/observed/ip-vs-conn/),
// every expected value written out.
import { describe, expect, it } from 'vitest';
import { parseIpvsConnections } from '../../../src/drivers/ipvs/parse-conn.js';
import { ParseError } from '../../../src/drivers/parse-error.js';
import type { IpvsConnection } from '../../../src/model/state.js';
import { fixture } from '../../observed/fixtures.js';

/** An expected entry: "address port" for client, VIP and real server. */
function entry(protocol: IpvsConnection['protocol'], ends: [string, string, string], state: IpvsConnection['state'], expiresS: number) {
  const [client, virtual, destination] = ends.map((e) => ({ address: e.split(' ')[0]!, port: Number(e.split(' ')[1]) }));
  return { protocol, client, virtual, destination, state, expiresS };
}

describe('parseIpvsConnections', () => {
  it('reads a real director table: hex addresses and ports, states, expiry', () => {
    const conns = parseIpvsConnections(fixture('ip-vs-conn/public-nat-https.txt'));
    expect(conns).toHaveLength(9);
    expect(conns[0]).toEqual(entry('tcp', ['217.33.199.29 49697', '81.20.49.101 443', '10.117.106.12 443'], 'ESTABLISHED', 857));
    expect(conns[1]).toMatchObject({
      client: { address: '54.39.252.69', port: 64533 },
      destination: { address: '10.117.102.30', port: 443 },
      state: 'SYN_RECV',
      expiresS: 9,
    });
    expect(conns.map((c) => c.state)).toEqual([
      'ESTABLISHED',
      'SYN_RECV',
      'ESTABLISHED',
      'ESTABLISHED',
      'TIME_WAIT',
      'ESTABLISHED',
      'TIME_WAIT',
      'ESTABLISHED',
      'TIME_WAIT',
    ]);
    expect(conns[8]).toMatchObject({
      virtual: { address: '81.20.49.111', port: 8081 },
      destination: { address: '10.117.106.11', port: 8081 },
    });
  });

  it('reads the sync variant (an Origin column) and UDP entries, which have no TCP state', () => {
    const conns = parseIpvsConnections(fixture('ip-vs-conn/public-kube-proxy-sync.txt'));
    expect(conns).toHaveLength(8);
    expect(conns.filter((c) => c.state === 'SYN_RECV').map((c) => `${c.destination.address}:${c.destination.port} ${c.expiresS}`)).toEqual([
      '172.16.169.210:8080 41',
      '10.99.27.7:8080 50',
      '10.99.27.53:8080 40',
      '172.16.160.171:8080 58',
    ]);
    expect(conns[6]).toEqual(entry('udp', ['172.16.160.123 60119', '172.16.190.212 53', '172.16.169.206 53'], null, 43));
  });

  it('reads IPv6 entries as the kernel prints them (%pI6: eight groups of four digits)', () => {
    const table = [
      'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData',
      'TCP 2001:0db8:0000:0000:0000:0000:0000:0064 D8B5 2001:0db8:0000:0000:0000:0000:0000:0001 0050 2001:0db8:0000:0000:0000:0000:0000:0015 0050 SYN_RECV         57',
    ].join('\n');
    expect(parseIpvsConnections(table)).toEqual([
      entry('tcp', ['2001:db8::64 55477', '2001:db8::1 80', '2001:db8::15 80'], 'SYN_RECV', 57),
    ]);
  });

  it('an empty table is no connections; anything else it does not understand is a ParseError at its line', () => {
    expect(parseIpvsConnections('Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n')).toEqual([]);
    const bad = (text: string) => () => parseIpvsConnections(text);
    expect(bad('IP Virtual Server version 1.2.1\n')).toThrow(ParseError);
    expect(
      bad('Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires\nTCP 0A000001 0050 0A000002 0050 0A000003 0050 SYN_WAIT 5'),
    ).toThrow(/line 2: unknown TCP state "SYN_WAIT"/);
    expect(
      bad('Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires\nTCP 10.0.0.1 0050 0A000002 0050 0A000003 0050 SYN_RECV 5'),
    ).toThrow(/is not a hex address and port/);
  });
});
