// Errors that teach: each mistake is named with the value written, what is allowed, the nearest allowed name, and
// reported once; and what the validator used to let through.
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { closest, editDistance } from '../../src/topology/suggest.js';
import { BASE, variant } from '../support/base-topology.js';

/** "line:col severity[rule] message | fix" of every diagnostic. */
function found(text: string): string[] {
  return loadTopology('t.yaml', text).diagnostics.map(
    (d) => `${d.position?.line}:${d.position?.col} ${d.severity}[${d.rule}] ${d.message} | ${d.fix}`,
  );
}

it('accepts the base topology without diagnostics', () => {
  expect(found(BASE)).toEqual([]);
});

describe('did you mean', () => {
  it.each([
    [
      'a misspelt key',
      variant('    method: dr\n', '    method: dr\n    schedular: wrr\n'),
      ['24:5 error[unknown-key] unknown key "schedular" (did you mean "scheduler"?) | rename it to "scheduler"'],
    ],
    [
      'a misspelt key inside a union (a real server in long form), no more "neither of the accepted forms"',
      variant('realServers: [rs1]', 'realServers: [{ host: rs1, wieght: 2 }]'),
      ['25:32 error[unknown-key] unknown key "wieght" (did you mean "weight"?) | rename it to "weight"'],
    ],
    [
      'a misspelt required key: one message, not also "prefix is required"',
      variant('lan: 192.168.10.0/24', 'lan: { prefx: 192.168.10.0/24 }'),
      ['3:10 error[unknown-key] unknown key "prefx" (did you mean "prefix"?) | rename it to "prefix"'],
    ],
    [
      'an unknown key with nothing near: the keys allowed there',
      variant('      eth0: { network: priv', '      eth0: { colour: red, network: priv'),
      ['17:15 error[unknown-key] unknown key "colour" | remove it; the keys allowed here are network, address'],
    ],
    [
      'a host name',
      variant('directors: [director]\n    realServers: [rs1]', 'directors: [directr]\n    realServers: [rs1]'),
      [
        '24:17 error[host-unknown] host "directr" is not defined (did you mean "director"?) | define it under "hosts:" or use one of: director, rs1, rs2',
      ],
    ],
    [
      'a network name',
      variant('{ network: lan, address: 192.168.10.21/24 }', '{ network: lna, address: 192.168.10.21/24 }'),
      [
        '13:24 error[network-unknown] network "lna" is not defined (did you mean "lan"?) | define it under "networks:" or use one of: lan, priv',
      ],
    ],
    [
      'a scheduler',
      variant('    method: dr\n', '    method: dr\n    scheduler: wrrr\n'),
      [
        '24:16 error[scheduler-unknown] "wrrr" is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos | did you mean "wrr"?',
      ],
    ],
    [
      'a check kind',
      variant('    method: dr\n', '    method: dr\n    check: { kind: htp }\n'),
      ['24:20 error[check-kind-unknown] "htp" is not one of tcp, http, https, dns, udp, icmp, exec | did you mean "http"?'],
    ],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });
});

/** BASE with more services before its anycast group, one flow mapping per line. */
function withServices(...services: string[]): string {
  return variant('anycast:\n', `${services.map((x) => `  ${x}\n`).join('')}anycast:\n`);
}

describe('one problem, one message', () => {
  it.each([
    [
      'a NAT real server with the wrong gateway, in three services',
      withServices(
        'app2: { vip: 192.168.10.100, port: 8001, method: nat, directors: [director], realServers: [rs2] }',
        'app3: { vip: 192.168.10.100, port: 8002, method: nat, directors: [director], realServers: [rs2] }',
      ).replace('gateway: 10.0.0.1', 'gateway: 10.0.0.9'),
      [
        '18:14 error[nat-gateway] NAT real server "rs2" has default gateway 10.0.0.9, not director "director" (10.0.0.1): replies would bypass the director | set "gateway: 10.0.0.1" on host "rs2"',
      ],
    ],
    [
      'a DR real server on an undefined network, in four services: not also "shares no L2 network" for each',
      withServices(
        'web2: { vip: 192.168.10.101, port: 80, method: dr, directors: [director], realServers: [rs1] }',
        'web3: { vip: 192.168.10.102, port: 80, method: dr, directors: [director], realServers: [rs1] }',
        'web4: { vip: 192.168.10.103, port: 80, method: dr, directors: [director], realServers: [rs1] }',
      ).replace('{ network: lan, address: 192.168.10.21/24 }', '{ network: lab, address: 192.168.10.21/24 }'),
      [
        '13:24 error[network-unknown] network "lab" is not defined (did you mean "lan"?) | define it under "networks:" or use one of: lan, priv',
      ],
    ],
    [
      'a DR real server given by address in two services: one warning, where it first appears',
      withServices('web2: { vip: 192.168.10.101, port: 80, method: dr, directors: [director], realServers: [192.168.10.30] }').replace(
        'realServers: [rs1]',
        'realServers: [192.168.10.30]',
      ),
      [
        '25:19 warning[dr-vip-unmanaged] DR real server 192.168.10.30 is not a topology host: lbctl cannot put VIP 192.168.10.100 on its lo, and without it the server drops the traffic | add it under "hosts:" and name it here, or put VIP 192.168.10.100 on its lo yourself (with arp_ignore=1, arp_announce=2)',
      ],
    ],
    [
      'a director on an undefined network',
      variant('eth0: { network: lan, address: 192.168.10.10/24 }', 'eth0: { network: lam, address: 192.168.10.10/24 }'),
      [
        '8:24 error[network-unknown] network "lam" is not defined (did you mean "lan"?) | define it under "networks:" or use one of: lan, priv',
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });
});

describe('what used to pass as valid', () => {
  it.each([
    [
      'two hosts with one interface address',
      variant('address: 10.0.0.12/24', 'address: 10.0.0.1/24'),
      [
        '17:39 error[address-duplicate] 10.0.0.1 of host "rs2" (eth0) is already the address of host "director" (eth1) | give every interface an address of its own (an address several directors share is a service VIP, with "ha:")',
      ],
    ],
    [
      'a fwmark service with a port (the port was dropped)',
      variant('    vip: 192.168.10.100\n    port: 80\n', '    fwmark: 7\n    port: 80\n'),
      [
        '21:5 error[service-id] service "web" has both "fwmark" and "port"/"protocol": a fwmark service takes every packet with the mark, whatever its port and protocol, so they would be ignored | remove "port"/"protocol" (match them in the rule that sets the mark), or remove "fwmark"',
        '21:13 warning[fwmark-unmarked] nothing in the topology marks packets with 7: service "web" receives traffic only if a firewall rule of yours sets that mark on its directors | mark its packets on each director, e.g. nftables "meta mark set 7" in a prerouting chain (priority mangle) matching its addresses and ports',
      ],
    ],
    [
      'a fwmark service: nothing in the topology sets the mark (warning)',
      variant('    vip: 192.168.10.100\n    port: 80\n', '    fwmark: 7\n'),
      [
        '21:13 warning[fwmark-unmarked] nothing in the topology marks packets with 7: service "web" receives traffic only if a firewall rule of yours sets that mark on its directors | mark its packets on each director, e.g. nftables "meta mark set 7" in a prerouting chain (priority mangle) matching its addresses and ports',
      ],
    ],
    [
      'a DR real server given as a bare address (warning)',
      variant('realServers: [rs1]', 'realServers: [192.168.10.30]'),
      [
        '25:19 warning[dr-vip-unmanaged] DR real server 192.168.10.30 is not a topology host: lbctl cannot put VIP 192.168.10.100 on its lo, and without it the server drops the traffic | add it under "hosts:" and name it here, or put VIP 192.168.10.100 on its lo yourself (with arp_ignore=1, arp_announce=2)',
      ],
    ],
    [
      'a TUN real server given as a bare address (warning)',
      variant(
        'method: dr\n    directors: [director]\n    realServers: [rs1]',
        'method: tun\n    mtu: 1480\n    directors: [director]\n    realServers: [192.168.10.30]',
      ),
      [
        '26:19 warning[tun-vip-unmanaged] TUN real server 192.168.10.30 is not a topology host: lbctl cannot put VIP 192.168.10.100 on its tunl0, and without it the server drops the traffic | add it under "hosts:" and name it here, or bring up tunl0 (ipip) with VIP 192.168.10.100 and rp_filter off on it yourself',
      ],
    ],
    [
      'a DR real server given as the address of a host (warning)',
      variant('realServers: [rs1]', 'realServers: ["192.168.10.21"]'),
      [
        '25:19 warning[dr-vip-unmanaged] DR real server 192.168.10.21 is host "rs1"\'s address, not the host: lbctl cannot put VIP 192.168.10.100 on its lo, and without it the server drops the traffic | write "rs1" (with ":port" or "port:" as needed) instead of the address: lbctl then sets the host up',
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });
});

describe('enum and type errors echo the value and what is allowed', () => {
  it.each([
    [
      'a method in capitals',
      variant('method: dr', 'method: DR'),
      ['23:13 error[method-unknown] "DR" is not one of nat, dr, tun, fullnat | write "dr" (values are case-sensitive)'],
    ],
    [
      'a method far from every allowed one',
      variant('method: dr', 'method: direct'),
      ['23:13 error[method-unknown] "direct" is not one of nat, dr, tun, fullnat | use one of: nat, dr, tun, fullnat'],
    ],
    [
      'the apiVersion',
      variant('apiVersion: lbctl/v1', 'apiVersion: lbctl/v2'),
      ['1:13 error[api-version] "lbctl/v2" is not lbctl/v1 | did you mean "lbctl/v1"?'],
    ],
    [
      'a service name as port',
      variant('port: 80\n', 'port: http\n'),
      ['22:11 error[type] "port" should be a number, not "http" | write the port number: 80 (http)'],
    ],
    [
      'a quoted port',
      variant('port: 80\n', 'port: "80"\n'),
      ['22:11 error[type] "port" should be a number, not "80" | write 80 without quotes'],
    ],
    [
      'a list where a mapping goes',
      variant('    interfaces:\n      eth0: { network: priv, address: 10.0.0.12/24 }', '    interfaces: []'),
      [
        '16:17 error[type] "interfaces" should be a mapping ("key: value" lines or { key: value }), not a list | write a mapping ("key: value" lines or { key: value }) here',
      ],
    ],
    [
      'a value of neither form of a union',
      variant('realServers: [rs1]', 'realServers: [7]'),
      [
        '25:19 error[type] "realServers" should be a text value, or a mapping ("key: value" lines or { key: value }), not 7 | see `lbctl schema` for the short and the long form',
      ],
    ],
    [
      'an empty list',
      variant('directors: [director]\n    realServers: [rs1]', 'directors: []\n    realServers: [rs1]'),
      ['24:16 error[range] "directors" needs at least 1 entry | add entries'],
    ],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  /** Phrases of zod's own messages and of the generic fixes built from zod's type names. */
  const ZOD_WORDING =
    /invalid input|expected \w+, received|received \w+|unrecognized key|too small|too big|invalid option|invalid string|invalid element|write an? (object|array|record|tuple|int|string) here/i;

  /** Paths into BASE (as parsed) and values of the wrong type for most of them. */
  const PATHS = [
    'apiVersion',
    'networks',
    'networks.lan',
    'hosts',
    'hosts.director',
    'hosts.director.interfaces',
    'hosts.director.interfaces.eth0',
    'hosts.director.interfaces.eth0.network',
    'hosts.director.interfaces.eth0.address',
    'hosts.rs2.gateway',
    'hosts.rs2.routes',
    'hosts.rs2.roles',
    'hosts.rs2.routing',
    'services',
    'services.web',
    'services.web.vip',
    'services.web.port',
    'services.web.protocol',
    'services.web.fwmark',
    'services.web.scheduler',
    'services.web.flags',
    'services.web.persistence',
    'services.web.onePacket',
    'services.web.method',
    'services.web.directors',
    'services.web.directors.0',
    'services.web.realServers',
    'services.web.realServers.0',
    'services.web.check',
    'services.web.mtu',
    'services.web.quorum',
    'anycast',
    'dns',
  ];
  const WRONG: unknown[] = ['http', 7, -1, 1e12, true, null, [], [1, 'a'], {}, { x: 1 }];

  it('never shows zod wording, whatever the wrong value', () => {
    const seen: string[] = [];
    for (const path of PATHS) {
      for (const wrong of WRONG) {
        const doc = jsyaml.load(BASE) as Record<string, unknown>;
        const keys = path.split('.');
        const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, doc);
        parent[keys.at(-1)!] = wrong;
        for (const d of loadTopology('t.yaml', JSON.stringify(doc, null, 1)).diagnostics)
          seen.push(`${path}=${JSON.stringify(wrong)}: ${d.message} | ${d.fix}`);
      }
    }
    expect(seen.length).toBeGreaterThan(PATHS.length * 3);
    expect(seen.filter((line) => ZOD_WORDING.test(line))).toEqual([]);
  });
});

describe('closest', () => {
  it.each([
    ['schedular', ['scheduler', 'method'], 'scheduler'],
    ['DR', ['nat', 'dr', 'tun'], 'dr'],
    ['wrrr', ['rr', 'wrr', 'wlc'], 'wrr'],
    ['rs3', ['rs1', 'rs2'], 'rs1'],
    ['realservers', ['realServers', 'directors'], 'realServers'],
    ['drectors', ['realServers', 'directors'], 'directors'],
    ['mtehod', ['method', 'mtu'], 'method'],
    ['colour', ['network', 'address'], undefined],
    ['x', ['y', 'zz'], 'y'],
    ['ldap', ['tcp', 'http', 'dns'], undefined],
  ])('%s among %j → %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('mtehod', 'method')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
  });
});

describe('merge keys and x- keys', () => {
  /** BASE with web and a new tls service sharing method, directors and scheduler through an anchor under an x- key. */
  const shared = (sched: string, rs = 'rs1') =>
    withServices(`tls: { <<: [*dr], vip: 192.168.10.100, port: 443, realServers: [${rs}] }`)
      .replace('apiVersion: lbctl/v1\n', `apiVersion: lbctl/v1\nx-dr: &dr\n  method: dr\n  directors: [director]\n  scheduler: ${sched}\n`)
      .replace('    method: dr\n    directors: [director]\n', '    <<: *dr\n');

  it('merges the anchored keys into each service and ignores the x- key', () => {
    const r = loadTopology('t.yaml', shared('wrr'));
    expect(r.diagnostics).toEqual([]);
    expect(r.topology?.services.map((s) => [s.name, s.method, s.scheduler, s.directors.join()])).toEqual([
      ['web', 'dr', 'wrr', 'director'],
      ['app', 'nat', 'wlc', 'director'],
      ['tls', 'dr', 'wrr', 'director'],
    ]);
  });

  it.each([
    [
      'a bad value under the anchor: reported where it is written, once',
      shared('wrrr'),
      [
        '5:14 error[scheduler-unknown] "wrrr" is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos | did you mean "wrr"?',
      ],
    ],
    [
      "a bad value of a service's own beside a merge key",
      shared('wrr', 'rs3'),
      [
        '35:67 error[host-unknown] host "rs3" is not defined (did you mean "rs1"?) | define it under "hosts:" or use one of: director, rs1, rs2',
      ],
    ],
    [
      'a top-level key without the x- prefix',
      shared('wrr').replace('x-dr: &dr', 'defaults: &dr'),
      [
        '2:1 error[unknown-key] unknown key "defaults" | remove it; the keys allowed here are apiVersion, networks, hosts, ospf, services, anycast, dns',
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });
});
