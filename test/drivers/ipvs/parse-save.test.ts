import { describe, expect, it } from 'vitest';
import { parseIpvsadmSave, parseIpvsadmSaveDetailed } from '../../../src/drivers/ipvs/parse-save.js';
import { ParseError } from '../../../src/drivers/parse-error.js';
import type { IpvsDestination, IpvsService } from '../../../src/model/state.js';
import { serviceKey } from '../../../src/model/keys.js';
import { fixture } from '../../observed/fixtures.js';

const dest = (address: string, port: number, forward: IpvsDestination['forward'], weight: number): IpvsDestination => ({
  address,
  port,
  forward,
  weight,
  upper: 0,
  lower: 0,
});
const attrs = { flags: [], persistence: null, onePacket: false };

/** The ParseError a parse throws (fails the test when it throws nothing or something else). */
function parseErrorOf(text: string): ParseError {
  try {
    parseIpvsadmSave(text);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('parseIpvsadmSave on hand-all-options.txt (ipvsadm 1.31 format)', () => {
  const services = parseIpvsadmSave(fixture('ipvsadm-save/hand-all-options.txt'));
  const byKey = new Map(services.map((s) => [serviceKey(s.id), s]));

  it('sorts services by key', () => {
    expect(services.map((s) => serviceKey(s.id))).toEqual([
      'fwmark 1',
      'fwmark 2 inet6',
      'sctp 10.0.0.100:3868',
      'tcp 10.0.0.100:80',
      'tcp 10.0.0.100:443',
      'tcp 10.0.0.101:80',
      'tcp 10.0.0.102:22',
      'tcp [2001:db8::100]:80',
      'udp 10.0.0.100:53',
      'udp 10.0.0.100:5060',
      'udp [2001:db8::100]:53',
    ]);
  });

  it('reads a plain DR service and sorts its real servers naturally', () => {
    expect(byKey.get('tcp 10.0.0.100:80')).toEqual<IpvsService>({
      id: { protocol: 'tcp', address: '10.0.0.100', port: 80 },
      scheduler: 'wrr',
      ...attrs,
      destinations: [dest('10.0.1.9', 80, 'gate', 0), dest('10.0.1.10', 80, 'gate', 3), dest('10.0.1.11', 80, 'gate', 1)],
    });
  });

  it('reads -p, an IPv4 -M netmask, -b flags and NAT port mapping', () => {
    expect(byKey.get('tcp 10.0.0.100:443')).toEqual<IpvsService>({
      id: { protocol: 'tcp', address: '10.0.0.100', port: 443 },
      scheduler: 'sh',
      flags: ['sh-fallback', 'sh-port'],
      persistence: { timeout: 360, netmask: '255.255.255.0' },
      onePacket: false,
      destinations: [dest('10.0.1.10', 443, 'masq', 1), dest('10.0.1.11', 8443, 'masq', 1)],
    });
  });

  it('maps -i --tun-type ipip to forward ipip', () => {
    const service = byKey.get('tcp 10.0.0.101:80');
    expect(service?.flags).toEqual(['mh-fallback', 'mh-port']);
    expect(service?.destinations).toEqual([dest('192.168.50.10', 80, 'ipip', 1), dest('192.168.50.11', 80, 'ipip', 2)]);
  });

  it('defaults the netmask to a host mask when -p has no -M', () => {
    expect(byKey.get('tcp 10.0.0.102:22')?.persistence).toEqual({ timeout: 3600, netmask: '255.255.255.255' });
    expect(byKey.get('tcp 10.0.0.102:22')?.flags).toEqual(['flag-1', 'flag-3']);
    expect(byKey.get('fwmark 2 inet6')?.persistence).toEqual({ timeout: 600, netmask: '128' });
  });

  it('reads -o one-packet scheduling on UDP, with and without --pe', () => {
    expect(byKey.get('udp 10.0.0.100:53')).toMatchObject({ scheduler: 'rr', onePacket: true, persistence: null });
    expect(byKey.get('udp 10.0.0.100:5060')).toMatchObject({ onePacket: true, persistence: { timeout: 180, netmask: '255.255.255.255' } });
  });

  it('reads --sctp-service', () => {
    expect(byKey.get('sctp 10.0.0.100:3868')).toEqual<IpvsService>({
      id: { protocol: 'sctp', address: '10.0.0.100', port: 3868 },
      scheduler: 'wlc',
      ...attrs,
      destinations: [dest('10.0.1.10', 3868, 'gate', 1)],
    });
  });

  it('reads bracketed IPv6 services and real servers, and an IPv6 -M prefix length', () => {
    expect(byKey.get('tcp [2001:db8::100]:80')).toEqual<IpvsService>({
      id: { protocol: 'tcp', address: '2001:db8::100', port: 80 },
      scheduler: 'wlc',
      flags: [],
      persistence: { timeout: 300, netmask: '64' },
      onePacket: false,
      destinations: [dest('2001:db8:1::10', 80, 'gate', 1), dest('2001:db8:1::11', 80, 'gate', 2)],
    });
    expect(byKey.get('udp [2001:db8::100]:53')?.destinations).toEqual([dest('2001:db8:1::10', 53, 'masq', 1)]);
  });

  it('reads fwmark services, IPv4 and (-6) IPv6', () => {
    expect(byKey.get('fwmark 1')).toEqual<IpvsService>({
      id: { protocol: 'fwmark', mark: 1, family: 'inet' },
      scheduler: 'wlc',
      ...attrs,
      destinations: [dest('10.0.1.10', 0, 'gate', 1), dest('10.0.1.11', 0, 'gate', 1)],
    });
    expect(byKey.get('fwmark 2 inet6')).toMatchObject({
      id: { protocol: 'fwmark', mark: 2, family: 'inet6' },
      scheduler: 'rr',
      destinations: [dest('2001:db8:1::10', 0, 'gate', 1)],
    });
  });

  it('reports the persistence engine as unmodelled', () => {
    expect(parseIpvsadmSaveDetailed(fixture('ipvsadm-save/hand-all-options.txt')).unmodelled).toEqual([
      'line 16: persistence engine sip (lbctl does not model --pe): -A -u 10.0.0.100:5060 -s rr -p 180 --pe sip -o',
    ]);
  });
});

describe('parseIpvsadmSave on hand-tunnels.txt', () => {
  const { services, unmodelled } = parseIpvsadmSaveDetailed(fixture('ipvsadm-save/hand-tunnels.txt'));

  it('maps every -i tunnel type to forward ipip', () => {
    const tcp = services.find((s) => serviceKey(s.id) === 'tcp 10.0.0.102:80');
    expect(tcp?.destinations.map((d) => `${d.address} ${d.forward}`)).toEqual([
      '192.168.50.10 ipip',
      '192.168.50.11 ipip',
      '192.168.50.12 ipip',
      '192.168.50.13 ipip',
    ]);
  });

  it('reports gue and gre tunnels, which HostState cannot tell from ipip', () => {
    expect(unmodelled).toEqual([
      'line 2: --tun-type gue (lbctl models ipip tunnels only): -a -t 10.0.0.102:80 -r 192.168.50.10:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum',
      'line 3: --tun-type gue (lbctl models ipip tunnels only): -a -t 10.0.0.102:80 -r 192.168.50.11:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum',
      'line 4: --tun-type gre (lbctl models ipip tunnels only): -a -t 10.0.0.102:80 -r 192.168.50.12:80 -i -w 1 --tun-type gre --tun-csum',
    ]);
  });

  it('reads fwmarks that ipvsadm printed as negative numbers (%d of a u32)', () => {
    expect(services.map((s) => serviceKey(s.id))).toEqual(['fwmark 7', 'fwmark 4294967295', 'tcp 10.0.0.102:80']);
  });
});

describe('parseIpvsadmSave on other input', () => {
  it('returns no services for empty output (an empty IPVS table)', () => {
    expect(parseIpvsadmSave('')).toEqual([]);
  });

  it('canonicalises addresses, so differently written IPv6 names the same service', () => {
    const services = parseIpvsadmSave(
      ['-A -t [2001:DB8:0:0::0100]:80 -s rr', '-a -t [2001:db8::100]:80 -r [2001:0db8:0001:0000:0000:0000:0000:0010]:80 -g -w 1'].join(
        '\n',
      ),
    );
    expect(services).toEqual<IpvsService[]>([
      {
        id: { protocol: 'tcp', address: '2001:db8::100', port: 80 },
        scheduler: 'rr',
        ...attrs,
        destinations: [dest('2001:db8:1::10', 80, 'gate', 1)],
      },
    ]);
  });

  it('reads ports written with leading zeros as their number, on the common real-server line too', () => {
    const services = parseIpvsadmSave(
      ['-A -u 10.0.0.1:053 -s rr', '-a -u 10.0.0.1:53 -r 10.0.0.20:0053 -m -w 2', '-a -u 10.0.0.1:53 -r 10.0.0.3:53 -m -w 1'].join('\n'),
    );
    expect(services).toEqual<IpvsService[]>([
      {
        id: { protocol: 'udp', address: '10.0.0.1', port: 53 },
        scheduler: 'rr',
        ...attrs,
        destinations: [dest('10.0.0.3', 53, 'masq', 1), dest('10.0.0.20', 53, 'masq', 2)],
      },
    ]);
    expect(() =>
      parseIpvsadmSave('-A -u 10.0.0.1:53 -s rr\n-a -u 10.0.0.1:53 -r 10.0.0.20:053 -m -w 1\n-a -u 10.0.0.1:53 -r 10.0.0.20:53 -m -w 1'),
    ).toThrow(/real server 10\.0\.0\.20:53 listed twice/);
  });

  it('keeps TCP and UDP services of one address and port apart, their real servers in any order', () => {
    const services = parseIpvsadmSave(
      [
        '-A -t 10.0.0.1:53 -s rr',
        '-A -u 10.0.0.1:53 -s rr',
        '-a -t 10.0.0.1:53 -r 10.0.0.2:53 -g -w 1',
        '-a -u 10.0.0.1:53 -r 10.0.0.3:53 -g -w 1',
        '-a -t 10.0.0.1:53 -r 10.0.0.4:53 -g -w 1',
      ].join('\n'),
    );
    expect(services.map((s) => [serviceKey(s.id), s.destinations.map((d) => d.address)])).toEqual([
      ['tcp 10.0.0.1:53', ['10.0.0.2', '10.0.0.4']],
      ['udp 10.0.0.1:53', ['10.0.0.3']],
    ]);
  });

  it.each(['10.0.0.256:80', '010.0.0.1:80', '10.0.0:80', '10.0.0.1.2:80', '10.0.0.1:65536', '10.0.0.1:', '10.0.0.1', '10..0.1:80', ':80'])(
    'refuses the real server %s',
    (real) => {
      expect(() => parseIpvsadmSave(`-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r ${real} -g -w 1`)).toThrow(
        /is not a numeric address:port|port "65536" is not an integer/,
      );
    },
  );

  it('reads the long option names and ipvsadm defaults of hand-written rule files', () => {
    const services = parseIpvsadmSave(
      [
        '--add-service --tcp-service 10.0.0.1:80 --persistent --ops',
        '--add-server --tcp-service 10.0.0.1:80 --real-server 10.0.0.2:80',
        '-a -t 10.0.0.1:80 -r 10.0.0.3:80 --ipip --weight 5 --u-threshold 100 --l-threshold 10',
        '-a -t 10.0.0.1:80 -r 10.0.0.4:80 -m -x 7 -y 2',
      ].join('\n'),
    );
    expect(services).toEqual<IpvsService[]>([
      {
        id: { protocol: 'tcp', address: '10.0.0.1', port: 80 },
        scheduler: 'wlc',
        flags: [],
        persistence: { timeout: 300, netmask: '255.255.255.255' },
        onePacket: true,
        destinations: [
          dest('10.0.0.2', 80, 'gate', 1),
          { ...dest('10.0.0.3', 80, 'ipip', 5), upper: 100, lower: 10 },
          { ...dest('10.0.0.4', 80, 'masq', 1), upper: 7, lower: 2 },
        ],
      },
    ]);
  });

  it('parses 100,000 real servers', () => {
    const lines: string[] = [];
    for (let s = 0; s < 100; s++) {
      lines.push(`-A -t 10.1.${s}.1:80 -s wrr`);
      for (let d = 0; d < 1000; d++)
        lines.push(`-a -t 10.1.${s}.1:80 -r 172.${16 + (s % 16)}.${d >> 8}.${d & 255}:${8000 + s} -m -w ${d % 7}`);
    }
    const services = parseIpvsadmSave(lines.join('\n') + '\n');
    expect(services).toHaveLength(100);
    expect(services.reduce((n, s) => n + s.destinations.length, 0)).toBe(100_000);
    expect(serviceKey(services[0]!.id)).toBe('tcp 10.1.0.1:80');
    expect(serviceKey(services[99]!.id)).toBe('tcp 10.1.99.1:80');
    expect(services[5]!.destinations[999]).toEqual(dest('172.21.3.231', 8005, 'masq', 999 % 7));
    expect(services[5]!.destinations[2]).toEqual(dest('172.21.0.2', 8005, 'masq', 2));
  });
});

describe('parseIpvsadmSave errors', () => {
  it('names the line number and text of a garbled line (hand-garbled.txt)', () => {
    const error = parseErrorOf(fixture('ipvsadm-save/hand-garbled.txt'));
    expect([error.source, error.line, error.text]).toEqual(['ipvsadm-save', 3, 'TCP  10.0.0.100:80 wrr']);
    expect(error.message).toBe('ipvsadm-save: line 3: unknown command "TCP" (expected -A or -a): TCP  10.0.0.100:80 wrr');
  });

  it('says a plain `ipvsadm -Ln` listing is not ipvsadm-save output, at its first line', () => {
    const listing =
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  10.0.0.100:80 wrr\n';
    const error = parseErrorOf(listing);
    expect(error.line).toBe(1);
    expect(error.reason).toBe('this is an `ipvsadm -Ln` listing, not `ipvsadm-save -n` output: capture the table with `ipvsadm-save -n`');
    expect(parseErrorOf(listing.split('\n').slice(1).join('\n')).reason).toMatch(/this is an `ipvsadm -Ln` listing/);
  });

  it.each([
    ['-A -t 10.0.0.1:80 -s rr --frobnicate', 'unexpected "--frobnicate"'],
    ['-A -t 10.0.0.1:80 -s', '-s needs a value'],
    ['-A -t 10.0.0.1:80 -s rr -s wrr', '-s given twice'],
    ['-A -t vip.example.com:http -s rr', '"vip.example.com:http" is not a numeric address:port (was ipvsadm-save run with -n?)'],
    ['-A -t 10.0.0.1:70000 -s rr', 'port "70000" is not an integer from 0 to 65535'],
    ['-A -t 2001:db8::1:80 -s rr', '"2001:db8::1:80" is not a numeric address:port (was ipvsadm-save run with -n?)'],
    ['-A -t [10.0.0.1]:80 -s rr', '"[10.0.0.1]:80": IPv6 addresses, and only they, go in brackets'],
    ['-A -s rr', 'exactly one of -t, -u, --sctp-service, -f must name the service'],
    ['-A -t 10.0.0.1:80 -u 10.0.0.1:80', 'exactly one of -t, -u, --sctp-service, -f must name the service'],
    ['-A -t 10.0.0.1:80 -6 -s rr', '-6 only applies to -f services'],
    ['-A -f 0 -s rr', 'fwmark 0 is not a valid firewall mark'],
    ['-A -t 10.0.0.1:80 -s rr -M 255.255.255.0', '-M without -p'],
    ['-A -t 10.0.0.1:80 -s rr -p 60 -M 255.0.255.0', '-M "255.0.255.0" is not a contiguous IPv4 netmask'],
    ['-A -t [::1]:80 -s rr -p 60 -M 129', 'IPv6 netmask "129" is not an integer from 0 to 128'],
    ['-A -t 10.0.0.1:80 -s sh -b sh-port,turbo', 'unknown scheduler flag "turbo"'],
    ['-A -t 10.0.0.1:80 -s rr -b sh-port', 'scheduler flag sh-port needs the sh scheduler, not rr'],
    ['-A -t 10.0.0.1:80 -s "rr"', 'bad scheduler name "\\"rr\\""'],
    ['-A -t 10.0.0.1:80 -r 10.0.0.2:80', 'unexpected "-r"'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1', 'real server for tcp 10.0.0.1:80, which no earlier -A line defines'],
  ])('%s', (line, reason) => {
    const error = parseErrorOf(line);
    expect([error.line, error.text, error.reason]).toEqual([1, line, reason]);
  });

  it.each([
    ['-a -t 10.0.0.1:80 -g -w 1', '-a needs -r'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -m', 'more than one of -g, -i, -m'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -w -1', 'weight "-1" is not an integer from 0 to 2147483647'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g --tun-type ipip', 'tunnel options need -i'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i --tun-type vxlan', 'unknown tunnel type "vxlan"'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i --tun-type gue --tun-nocsum', 'tunnel port "" is not an integer from 0 to 65535'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i --tun-type gre --tun-csum --tun-nocsum', 'more than one tunnel checksum option'],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i --tun-csum', 'ipip tunnels take no other tunnel options'],
    [
      '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2',
      'real server 10.0.0.2:80 listed twice in tcp 10.0.0.1:80',
    ],
    [
      // Apart and out of order: the sort brings them together, and the later line is named.
      '-a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.3:80 -m -w 2',
      'real server 10.0.0.3:80 listed twice in tcp 10.0.0.1:80',
    ],
  ])('%s', (lines, reason) => {
    const text = `-A -t 10.0.0.1:80 -s rr\n${lines}`;
    const error = parseErrorOf(text);
    const last = text.split('\n').length;
    expect([error.line, error.text, error.reason]).toEqual([last, text.split('\n')[last - 1], reason]);
  });

  it('rejects a service defined twice, however its address is written', () => {
    const error = parseErrorOf('-A -t [2001:db8::1]:80 -s rr\n\n-A -t [2001:db8:0::1]:80 -s wrr');
    expect([error.line, error.reason]).toEqual([3, 'service tcp [2001:db8::1]:80 defined twice']);
  });
});
