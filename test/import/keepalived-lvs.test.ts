import { describe, expect, it } from 'vitest';
import { importKeepalived } from '../../src/import/keepalived/import.js';
import { draftTopology } from '../../src/import/topology-text.js';
import { formatNote } from '../../src/import/report.js';
import { loadTopology } from '../../src/topology/load.js';
import { rulesText as ipvsadmRules } from '../../src/drivers/ipvs/rules.js';
import { memoryReader } from './corpus.js';

/** The IPVS rules keepalived would set up for a configuration, and its notes as "line kind keyword". */
function load(text: string): { rules: string[]; notes: string[] } {
  const r = importKeepalived('k.conf', text, { reader: memoryReader({}) });
  return {
    rules: ipvsadmRules(r.services.map((s) => s.service))
      .trimEnd()
      .split('\n')
      .filter((l) => l !== ''),
    notes: r.notes.map((n) => `${n.at?.line ?? ''} ${n.kind} ${n.keyword ?? ''}`),
  };
}

describe('keepalived LVS semantics (check_parser.c, check_data.c, ipvswrapper.c)', () => {
  it("applies keepalived's defaults, each with a note: UDP, NAT, wlc, weight 1", () => {
    const { rules, notes } = load('virtual_server 10.0.0.1 53 {\n real_server 10.0.1.1 53\n}\n');
    expect(rules).toEqual(['-A -u 10.0.0.1:53 -s wlc', '-a -u 10.0.0.1:53 -r 10.0.1.1:53 -m -w 1']);
    expect(notes).toEqual(['1 adjusted virtual_server', '1 adjusted virtual_server', '1 adjusted virtual_server']);
  });

  it("inherits virtual server → real server: method and weight, whichever order they are written in; a real server's own win", () => {
    const { rules } = load(`virtual_server 10.0.0.1 80 {
 protocol TCP
 lb_algo wrr
 real_server 10.0.1.1 8080 { }
 lb_kind DR
 weight 3
 real_server 10.0.1.2 8080 { weight 5 }
 real_server 10.0.1.3 8080 { lvs_method NAT }
 real_server 10.0.1.4 80 { uthreshold 100
  lthreshold 10 }
}
`);
    expect(rules).toEqual([
      '-A -t 10.0.0.1:80 -s wrr',
      '-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 3',
      '-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 5',
      '-a -t 10.0.0.1:80 -r 10.0.1.3:8080 -m -w 3',
      '-a -t 10.0.0.1:80 -r 10.0.1.4:80 -g -w 3 -x 100 -y 10',
    ]);
  });

  it('imports what keepalived ignores as keepalived runs it: unknown scheduler, persistence_timeout 0, unknown keyword', () => {
    const { rules, notes } = load(
      'virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_kind DR\n lb_algo rr\n lb_algo roundrobin\n persistence_timeout 0\n frobnicate 1\n real_server 10.0.1.1 80\n}\n',
    );
    expect(rules[0]).toBe('-A -t 10.0.0.1:80 -s rr');
    expect(notes).toEqual(['5 adjusted lb_algo', '6 adjusted persistence_timeout', '7 adjusted frobnicate']);
  });

  it('persistence: a bare timeout is 360 s, granularity alone makes a service persistent, port 0 forces it', () => {
    expect(
      load('virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n persistence_timeout\n real_server 10.0.1.1 80\n}\n')
        .rules[0],
    ).toBe('-A -t 10.0.0.1:80 -s rr -p 360 -M 255.255.255.255');
    expect(
      load(
        'virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n persistence_granularity 255.255.255.0\n real_server 10.0.1.1 80\n}\n',
      ).rules[0],
    ).toBe('-A -t 10.0.0.1:80 -s rr -p 360 -M 255.255.255.0');
    const zero = load('virtual_server 10.0.0.1 0 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n real_server 10.0.1.1 0\n}\n');
    expect(zero.rules).toEqual(['-A -t 10.0.0.1:0 -s rr -p 360 -M 255.255.255.255', '-a -t 10.0.0.1:0 -r 10.0.1.1:0 -g -w 1']);
    expect(zero.notes).toEqual(['1 adjusted virtual_server']);
  });

  it('scheduler flags: sh-port counts only after lb_algo sh, flag-N are named by the final scheduler, ops only for UDP', () => {
    expect(
      load('virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_kind DR\n lb_algo sh\n sh-port\n flag-1\n ops\n real_server 10.0.1.1 80\n}\n'),
    ).toEqual({
      rules: ['-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port', '-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1'],
      notes: ['1 adjusted virtual_server'],
    });
    expect(
      load('virtual_server 10.0.0.1 53 {\n protocol UDP\n lb_kind DR\n sh-port\n lb_algo sh\n ops\n real_server 10.0.1.1 53\n}\n'),
    ).toEqual({
      rules: ['-A -u 10.0.0.1:53 -s sh -o', '-a -u 10.0.0.1:53 -r 10.0.1.1:53 -g -w 1'],
      notes: ['4 adjusted sh-port'],
    });
  });

  it('groups: address ranges (last byte, full end, CIDR, IPv6 hex) and fwmarks, each a service with every real server', () => {
    const { rules } = load(`virtual_server_group G {
 10.0.0.1-3 80
 10.0.1.254-10.0.2.1 80
 10.0.3.0/31 443
 2001:db8::9-b 80
 fwmark 7
 fwmark 8 inet6
}
virtual_server group G {
 protocol TCP
 lb_algo rr
 lb_kind TUN
 real_server 10.0.9.1 8080
}
`);
    expect(rules.filter((r) => r.startsWith('-A'))).toEqual([
      '-A -t 10.0.0.1:80 -s rr',
      '-A -t 10.0.0.2:80 -s rr',
      '-A -t 10.0.0.3:80 -s rr',
      '-A -t 10.0.1.254:80 -s rr',
      '-A -t 10.0.1.255:80 -s rr',
      '-A -t 10.0.2.0:80 -s rr',
      '-A -t 10.0.2.1:80 -s rr',
      '-A -t 10.0.3.0:443 -s rr',
      '-A -t 10.0.3.1:443 -s rr',
      '-A -t [2001:db8::9]:80 -s rr',
      '-A -t [2001:db8::a]:80 -s rr',
      '-A -t [2001:db8::b]:80 -s rr',
      '-A -f 7 -s rr',
      '-A -f 8 -6 -s rr',
    ]);
    expect(rules).toContain('-a -t 10.0.3.1:443 -r 10.0.9.1:443 -i -w 1');
    expect(rules).toContain('-a -f 8 -6 -r 10.0.9.1:0 -i -w 1');
  });

  it('drops what keepalived drops, saying so: no real servers, bad group entries, duplicates, another family', () => {
    const { rules, notes } = load(`virtual_server_group G {
 10.0.0.5-3 80
 10.0.0.1/24 80
}
virtual_server 10.0.0.9 80 {
 protocol TCP
}
virtual_server 10.0.0.1 80 {
 protocol TCP
 lb_algo rr
 lb_kind DR
 real_server 10.0.1.1 80
 real_server 10.0.1.1 80
 real_server 2001:db8::1 80
}
`);
    expect(rules).toEqual(['-A -t 10.0.0.1:80 -s rr', '-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1']);
    expect(notes).toEqual([
      '2 adjusted 10.0.0.5-3',
      '3 adjusted 10.0.0.1/24',
      '1 adjusted virtual_server_group',
      '5 adjusted virtual_server',
      '14 adjusted real_server',
      '8 adjusted virtual_server',
    ]);
  });

  it('reports what lbctl cannot express (checkers without a kind, alpha, omega, notify) at its line', () => {
    const { notes } = load(`global_defs {
 lvs_sync_daemon eth0 VI_1
}
vrrp_instance VI_1 {
 lvs_sync_daemon_interface eth1
}
virtual_server fwmark 1 {
 lb_algo rr
 lb_kind DR type gue port 6080
 sorry_server 10.0.2.1 80
 quorum 2
 hysteresis 1
 alpha
 omega
 ha_suspend
 delay_loop 5
 real_server 10.0.1.1 80 {
  inhibit_on_failure
  notify_up /bin/true
  HTTP_GET { connect_timeout 3
  }
  TCP_CHECK { retry 2 }
  DNS_CHECK { type A }
  MISC_CHECK { misc_path /bin/true }
  SMTP_CHECK { }
  UDP_CHECK { }
  FILE_CHECK { }
  BFD_CHECK { }
 }
}
`);
    expect(notes.filter((n) => n.includes('not-imported'))).toEqual([
      '9 not-imported lb_kind',
      '13 not-imported alpha',
      '14 not-imported omega',
      '15 not-imported ha_suspend',
      '19 not-imported notify_up',
      '23 not-imported DNS_CHECK',
      '24 not-imported MISC_CHECK',
      '25 not-imported SMTP_CHECK',
      '26 not-imported UDP_CHECK',
      '27 not-imported FILE_CHECK',
      '28 not-imported BFD_CHECK',
      // VRRP and global blocks are read once the services are known (their VIPs decide `ha: vrrp`).
      '1 not-imported global_defs',
      '2 not-imported lvs_sync_daemon',
      '4 not-imported vrrp_instance',
      '5 not-imported lvs_sync_daemon_interface',
    ]);
  });
});

/** The topology text of a keepalived snippet, and its report. */
function draft(text: string) {
  const result = importKeepalived('k.conf', text, { reader: memoryReader({}) });
  const d = draftTopology(result, 'test');
  const loaded = loadTopology('imported.yaml', d.yaml);
  expect(loaded.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  return { yaml: d.yaml, notes: d.notes.map((n) => formatNote(n)), topology: loaded.topology! };
}

/** A virtual server holding `body` and one real server holding `rs`. */
const vs = (body: string, rs: string) =>
  `virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n${body}\n real_server 10.0.1.1 80 {\n${rs}\n }\n}\n`;

describe('keepalived checkers and pool settings → the topology', () => {
  it.each([
    ['TCP_CHECK, keepalived defaults', vs('', 'TCP_CHECK { }'), 'check: { kind: tcp, interval: 60, timeout: 5, rise: 1, fall: 2 }'],
    [
      'timing inherited virtual server → real server → checker',
      vs(' delay_loop 6\n connect_timeout 9', 'retry 2\n TCP_CHECK { connect_timeout 3 }'),
      'check: { kind: tcp, interval: 6, timeout: 3, rise: 1, fall: 3 }',
    ],
    ['connect_ip/connect_port', vs('', 'TCP_CHECK { connect_ip 10.0.1.9\n connect_port 8080 }'), 'address: 10.0.1.9, port: 8080 }'],
    [
      'HTTP_GET: url path, status codes and ranges, virtualhost, regex',
      vs(' virtualhost www.example.org', 'HTTP_GET { url { path /healthz\n status_code 200 301-302\n regex "^ok" }\n nb_get_retry 2 }'),
      'check: { kind: http, interval: 60, timeout: 5, rise: 1, fall: 3, path: /healthz, body: "^ok", status: [200, 301, 302], host: www.example.org }',
    ],
    ['SSL_GET → https, 2xx by default', vs('', 'SSL_GET { url { path / } }'), 'kind: https'],
    ['DNS_CHECK: type, name; retry 3 by default', vs('', 'DNS_CHECK { type A\n name example.org }'), 'fall: 4, type: A, name: example.org'],
    ['UDP_CHECK: hex payload and reply', vs('', 'UDP_CHECK { payload 70696e67\n require_reply 706f6e67 }'), 'send: ping, expect: pong'],
    ['PING_CHECK → icmp', vs('', 'PING_CHECK { }'), 'check: { kind: icmp, interval: 60, timeout: 5, rise: 1, fall: 2 }'],
    [
      'MISC_CHECK: argv, misc_timeout, no retry by default',
      vs(' delay_loop 10', 'MISC_CHECK { misc_path "/usr/bin/check.sh --port 80"\n misc_timeout 4 }'),
      'check: { kind: exec, interval: 10, timeout: 4, rise: 1, fall: 1, command: [/usr/bin/check.sh, --port, "80"] }',
    ],
    ['no inhibit_on_failure: keepalived removes a failing server', vs('', 'TCP_CHECK { }'), 'onFailure: remove\n    failOpen: 100'],
    ['inhibit_on_failure: weight 0', vs(' inhibit_on_failure', 'TCP_CHECK { }'), 'onFailure: weight0'],
    ['sorry_server', vs(' sorry_server 10.0.1.200 80', 'TCP_CHECK { }'), 'sorryServer: 10.0.1.200:80'],
    [
      'quorum and hysteresis, as keepalived corrects them',
      vs(' quorum 5\n hysteresis 9', 'weight 3\n TCP_CHECK { }'),
      'quorum: 3\n    hysteresis: 2',
    ],
  ])('%s', (_name, text, expected) => {
    expect(draft(text).yaml).toContain(expected);
  });

  it('gives the service the check most real servers have, and the others what differs (false: none)', () => {
    const text = `virtual_server 10.0.0.1 80 {
 protocol TCP
 lb_algo rr
 lb_kind NAT
 real_server 10.0.1.1 80 { TCP_CHECK { } }
 real_server 10.0.1.2 80 { TCP_CHECK { } }
 real_server 10.0.1.3 8080 { TCP_CHECK { connect_timeout 2 } }
 real_server 10.0.1.4 80 { HTTP_GET { url { path / } } }
 real_server 10.0.1.5 80
}
`;
    const { yaml, topology } = draft(text);
    expect(yaml).toContain('    check: { kind: tcp, interval: 60, timeout: 5, rise: 1, fall: 2 }\n');
    expect(yaml).toContain('- { address: 10.0.1.3, port: 8080, weight: 1, check: { timeout: 2 } }');
    expect(yaml).toContain('- { address: 10.0.1.5, port: 80, weight: 1, check: false }');
    const checks = topology.services[0]!.realServers.map((r) => r.check && `${r.check.kind} ${r.check.port} ${r.check.timeoutMs}`);
    expect(checks).toEqual(['tcp 80 5000', 'tcp 80 5000', 'tcp 8080 2000', 'http 80 5000', undefined]);
  });

  it.each([
    [
      'a second checker on a real server',
      vs('', 'TCP_CHECK { }\n PING_CHECK { }'),
      'not imported: PING_CHECK: lbctl runs one check per real server',
    ],
    [
      'an MD5 digest',
      vs('', 'HTTP_GET { url { path /\n digest 9b3a0c85a887a256d6939da88aabd8cd } }'),
      "not imported: digest: keepalived's digest is the MD5",
    ],
    [
      'a regex JavaScript cannot read',
      vs('', 'HTTP_GET { url { path /\n regex "(?<x" } }'),
      'not imported: regex: not a regular expression JavaScript reads',
    ],
    ['a second url', vs('', 'HTTP_GET { url { path /a }\n url { path /b } }'), 'not imported: url: lbctl checks one path per real server'],
    ['SMTP_CHECK', vs('', 'SMTP_CHECK { }'), 'not imported: SMTP_CHECK: a checker lbctl has no check kind for'],
    [
      'a shell command',
      vs('', 'MISC_CHECK { misc_path "/bin/check | grep ok" }'),
      'not imported: misc_path: lbctl runs a command without a shell',
    ],
    ['a DNS check of the root', vs('', 'DNS_CHECK { }'), "not imported: DNS_CHECK: lbctl's dns check asks for a name"],
    ['retries sooner than delay_loop', vs('', 'TCP_CHECK { }'), 'adjusted: TCP_CHECK: keepalived retries 1 s after a failure'],
    [
      'a timeout past delay_loop',
      vs(' delay_loop 2', 'TCP_CHECK { }'),
      'adjusted: TCP_CHECK: the timeout (5 s) is longer than delay_loop (2 s)',
    ],
    ['bindto', vs('', 'TCP_CHECK { bindto 10.0.0.2 }'), "not imported: bindto: lbctl's checks leave from the director's own address"],
  ])('reports %s', (_name, text, expected) => {
    expect(draft(text).notes.join('\n')).toContain(expected);
  });

  it("makes the services whose VIP a vrrp_instance holds `ha: vrrp`, and notes how lbctl's instance differs", () => {
    const { yaml, notes, topology } = draft(`vrrp_instance VI_1 {
 state MASTER
 interface eth0
 virtual_router_id 51
 priority 150
 advert_int 1
 authentication { auth_type PASS }
 virtual_ipaddress {
  10.0.0.1
  10.0.0.2
 }
 lvs_sync_daemon_interface eth0
}
${vs('', 'TCP_CHECK { }')}`);
    expect(yaml).toContain('    ha: vrrp\n');
    expect(topology.services[0]?.ha).toBe('vrrp');
    expect(notes.filter((n) => !n.includes('TCP_CHECK'))).toEqual([
      'k.conf:1:1: adjusted: vrrp_instance: the services of VIP 10.0.0.1 get "ha: vrrp": lbctl writes one VRRP instance per VIP itself (keepalived.conf, VRRP only)',
      expect.stringMatching(/^k.conf:2:2: adjusted: state: lbctl starts every director BACKUP/),
      expect.stringMatching(/^k.conf:4:2: adjusted: virtual_router_id: lbctl numbers/),
      expect.stringMatching(/^k.conf:5:2: adjusted: priority:/),
      expect.stringMatching(/^k.conf:6:2: adjusted: advert_int: lbctl advertises every 0.2 s/),
      expect.stringMatching(/^k.conf:7:2: not imported: authentication:/),
      expect.stringMatching(/^k.conf:10:3: not imported: 10.0.0.2: no imported virtual server has this address/),
      expect.stringMatching(/^k.conf:12:2: adjusted: lvs_sync_daemon_interface: every `ha: vrrp` director runs both IPVS sync daemons/),
      expect.stringMatching(
        /^fill in: hosts.director.interfaces.eth0: 10.0.0.254\/24 on 10.0.0.0\/24 .* the name eth0 comes from 10.0.0.1/,
      ),
      expect.stringMatching(/^fill in: hosts.director.interfaces.eth1:/),
      expect.stringMatching(/^fill in: services.tcp-10-0-0-1-80.directors: add the other VRRP director/),
      expect.stringMatching(/^fill in: hosts.director:/),
    ]);
  });
});

describe('the director of a keepalived import', () => {
  it("gets its interfaces named after the VRRP addresses on the real servers' networks (dev, else the instance's interface), placeholders avoiding them", () => {
    const text = `vrrp_instance VI_1 {
 interface eth0
 virtual_ipaddress {
  10.0.0.100
  10.0.1.254/24 dev bond1
 }
}
virtual_server 10.0.0.100 80 {
 protocol TCP
 lb_algo rr
 lb_kind NAT
 real_server 10.0.1.11 8080
 real_server 10.0.2.11 8080
}
`;
    const result = importKeepalived('k.conf', text, { reader: memoryReader({}) });
    expect(result.interfaces?.map((h) => `${h.name} ${h.address}`)).toEqual(['eth0 10.0.0.100', 'bond1 10.0.1.254']);
    const draft = draftTopology(result, 'test');
    // The VIP is VRRP's: its network (net1, eth0) is the director's too.
    expect(draft.yaml).toContain('      eth0: { network: net1, address: 10.0.0.254/24 }');
    expect(draft.yaml).toContain('      bond1: { network: net2, address: 10.0.1.253/24 }');
    expect(draft.yaml).toContain('      eth1: { network: net3, address: 10.0.2.254/24 }');
    expect(draft.notes.find((n) => n.keyword === 'hosts.director.interfaces.bond1')?.message).toContain(
      'the name bond1 comes from 10.0.1.254 at k.conf:5',
    );
  });
});

describe('checker timing in the report', () => {
  it("shows, for a checker lbctl has no kind for, what it inherits: its own keys win over the real server's, which win over the virtual server's", () => {
    const r = importKeepalived(
      'k.conf',
      `virtual_server 10.0.0.1 80 {
 protocol TCP
 real_server 10.0.1.1 80 {
  retry 2
  SMTP_CHECK {
   connect_timeout 3
  }
 }
 connect_timeout 5
 delay_loop 6
}
`,
      { reader: memoryReader({}) },
    );
    const checks = r.notes.filter((n) => n.keyword === 'SMTP_CHECK').map((n) => n.message.replace(/^.*\(/, '('));
    expect(checks).toEqual(['(connect_timeout 3, delay_loop 6 from the virtual_server, retry 2 from the real_server)']);
  });
});
