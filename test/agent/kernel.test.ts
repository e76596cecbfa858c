import { describe, expect, it } from 'vitest';
import { countAnnouncers, editArgv } from '../../src/agent/kernel.js';

const service = { protocol: 'tcp', address: '192.168.10.100', port: 80 } as const;
const destination = { address: '192.168.10.21', port: 80, forward: 'gate', weight: 0, upper: 0, lower: 0 } as const;

describe('kernel edits', () => {
  it.each([
    [{ kind: 'weight', service, destination }, 'ipvsadm -e -t 192.168.10.100:80 -r 192.168.10.21:80 -g -w 0'],
    [{ kind: 'add', service, destination: { ...destination, weight: 1 } }, 'ipvsadm -a -t 192.168.10.100:80 -r 192.168.10.21:80 -g -w 1'],
    [{ kind: 'remove', service, destination }, 'ipvsadm -d -t 192.168.10.100:80 -r 192.168.10.21:80'],
    [{ kind: 'withdraw', group: 'dns', prefix: '6.6.6.6/32' }, 'ip addr flush dev lo to 6.6.6.6/32'],
    [{ kind: 'announce', group: 'dns', prefix: '6.6.6.6/32' }, 'ip addr replace 6.6.6.6/32 dev lo'],
  ] as const)('%j is one command', (edit, argv) => {
    expect(editArgv(edit).join(' ')).toBe(argv);
  });
});

/** Router LSAs as FRR prints them ("Net Address:" before FRR 8, "Net:" since): dns1, dns2 and dns3 carry 6.6.6.6/32, r1 only 6.6.6.60. */
const DATABASE = `
       OSPF Router with ID (10.211.77.2)

                Router Link States (Area 0.0.0.2)

  LS age: 12
  Options: 0x2  : *|-|-|-|-|-|E|-
  LS Flags: 0x6  
  Flags: 0x0
  LS Type: router-LSA
  Link State ID: 10.211.77.1 
  Advertising Router: 10.211.77.1
  LS Seq Number: 80000005
  Checksum: 0x1234
  Length: 48

   Number of Links: 2

    Link connected to: a Transit Network
     (Link ID) Designated Router address: 10.211.77.254
     (Link Data) Router Interface address: 10.211.77.1
      Number of TOS metrics: 0
       TOS 0 Metric: 10

    Link connected to: Stub Network
     (Link ID) Net Address: 6.6.6.6
     (Link Data) Network Mask: 255.255.255.255
      Number of TOS metrics: 0
       TOS 0 Metric: 10

  LS age: 13
  Advertising Router: 10.211.77.2
    Link connected to: Stub Network
     (Link ID) Net Address: 6.6.6.6
     (Link Data) Network Mask: 255.255.255.255

  LS age: 14
  Advertising Router: 10.211.77.254
    Link connected to: Stub Network
     (Link ID) Net Address: 6.6.6.60
     (Link Data) Network Mask: 255.255.255.255

  LS age: 15
  Advertising Router: 10.211.77.3
    Link connected to: Stub Network
     (Link ID) Net: 6.6.6.6
     (Link Data) Network Mask: 255.255.255.255
`;

describe('announcers in the OSPF database', () => {
  it('counts the other routers whose router LSA carries the prefix as a /32 stub', () => {
    expect(countAnnouncers(DATABASE, '6.6.6.6/32', '10.211.77.2')).toBe(2);
    expect(countAnnouncers(DATABASE, '6.6.6.6/32', '10.211.77.9')).toBe(3);
    expect(countAnnouncers(DATABASE, '7.7.7.7/32', '10.211.77.2')).toBe(0);
  });
});
