import { describe, expect, it } from 'vitest';
import { importKeepalived } from '../../src/import/keepalived/import.js';
import { draftTopology } from '../../src/import/topology-text.js';
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

  it('reports every checker, sorry server, quorum and HA keyword as not imported, at its line', () => {
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
      '1 not-imported global_defs',
      '2 not-imported lvs_sync_daemon',
      '4 not-imported vrrp_instance',
      '5 not-imported lvs_sync_daemon_interface',
      '9 not-imported lb_kind',
      '10 not-imported sorry_server',
      '11 not-imported quorum',
      '12 not-imported hysteresis',
      '13 not-imported alpha',
      '14 not-imported omega',
      '15 not-imported ha_suspend',
      '16 not-imported delay_loop',
      '18 not-imported inhibit_on_failure',
      '19 not-imported notify_up',
      '20 not-imported HTTP_GET',
      '22 not-imported TCP_CHECK',
      '23 not-imported DNS_CHECK',
      '24 not-imported MISC_CHECK',
      '25 not-imported SMTP_CHECK',
      '26 not-imported UDP_CHECK',
      '27 not-imported FILE_CHECK',
      '28 not-imported BFD_CHECK',
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
    expect(draft.yaml).toContain('      bond1: { network: net1, address: 10.0.1.253/24 }');
    expect(draft.yaml).toContain('      eth1: { network: net2, address: 10.0.2.254/24 }');
    expect(draft.notes.find((n) => n.keyword === 'hosts.director.interfaces.bond1')?.message).toContain(
      'the name bond1 comes from 10.0.1.254 at k.conf:5',
    );
  });
});

describe('checker timing in the report', () => {
  it("shows what each checker inherits: its own keys win over the real server's, which win over the virtual server's", () => {
    const r = importKeepalived(
      'k.conf',
      `virtual_server 10.0.0.1 80 {
 protocol TCP
 real_server 10.0.1.1 80 {
  retry 2
  HTTP_GET {
   nb_get_retry 4
   connect_timeout 3
  }
  TCP_CHECK { }
 }
 connect_timeout 5
 delay_loop 6
}
`,
      { reader: memoryReader({}) },
    );
    const checks = r.notes.filter((n) => n.keyword === 'HTTP_GET' || n.keyword === 'TCP_CHECK').map((n) => n.message.replace(/^.*\(/, '('));
    expect(checks).toEqual([
      '(connect_timeout 3, delay_loop 6 from the virtual_server, retry 4)',
      '(connect_timeout 5 from the virtual_server, delay_loop 6 from the virtual_server, retry 2 from the real_server)',
    ]);
  });
});
