// The VIP path of DR/TUN checks as desired state: per checked real server a one-server fwmark service, a marking rule
// for the agent's probe, and the director sysctls its replies need; and the probes the agent makes of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import { vipPaths } from '../../src/desired/vip-path.js';
import { watchFor } from '../../src/health/watch.js';
import type { IpvsService } from '../../src/model/state.js';
import { planHost } from '../../src/plan/plan.js';
import { emptyHostState } from '../../src/model/state.js';
import { isVipPathMark, VIP_PATH } from '../../src/topology/health.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';

const TOPOLOGIES = join(import.meta.dirname, '../../topologies');
const text = (name: string) => readFileSync(join(TOPOLOGIES, name), 'utf8');
const load = (source: string): Topology => {
  const loaded = loadTopology('t.yaml', source);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded.topology!;
};
const vipPathServices = (ipvs: IpvsService[]) => ipvs.filter((s) => s.id.protocol === 'fwmark' && isVipPathMark(s.id.mark));

describe('VIP path of DR checks (dr-web.yaml)', () => {
  const t = load(text('dr-web.yaml'));
  const states = desiredStates(t);
  const director = states.get('director')!;
  const paths = vipPaths(t, t.hosts.get('director')!);

  it('has one path per checked real server of each service, from the director address on their network', () => {
    expect(paths.map((p) => `${p.service} ${p.server} ${p.vip}:${p.port} ${p.transport} from ${p.source} on ${p.device}`)).toEqual([
      'web 192.168.10.21:80 192.168.10.100:80 tcp from 192.168.10.10 on eth0',
      'web 192.168.10.22:80 192.168.10.100:80 tcp from 192.168.10.10 on eth0',
      'web 192.168.10.23:80 192.168.10.100:80 tcp from 192.168.10.10 on eth0',
      'web-tls 192.168.10.21:443 192.168.10.100:443 tcp from 192.168.10.10 on eth0',
      'web-tls 192.168.10.22:443 192.168.10.100:443 tcp from 192.168.10.10 on eth0',
      'web-tls 192.168.10.23:443 192.168.10.100:443 tcp from 192.168.10.10 on eth0',
    ]);
    for (const p of paths) {
      expect(p.sourcePort - VIP_PATH.firstPort).toBe(p.mark - VIP_PATH.firstMark);
      expect(p.sourcePort).toBeGreaterThanOrEqual(61000);
      expect(p.sourcePort).toBeLessThanOrEqual(65535);
    }
    expect(new Set(paths.map((p) => p.mark)).size).toBe(paths.length);
  });

  it('gives the director a one-server fwmark service per path, with DR forwarding and weight 1', () => {
    const services = vipPathServices(director.ipvs);
    expect(services).toHaveLength(paths.length);
    for (const p of paths) {
      expect(services).toContainEqual({
        id: { protocol: 'fwmark', mark: p.mark, family: 'inet' },
        scheduler: 'rr',
        flags: [],
        persistence: null,
        onePacket: false,
        destinations: [{ address: p.address, port: 0, forward: 'gate', weight: 1, upper: 0, lower: 0 }],
      });
    }
    expect(director.modules).toContain('ip_vs_rr');
  });

  it("marks each path's probe in lbctl's output chain: its source, source port, VIP and port", () => {
    const [table] = director.nft;
    expect(table).toMatchObject({ family: 'ip', name: 'lbctl', rules: [] });
    expect(table!.output).toHaveLength(paths.length);
    for (const p of paths) {
      expect(table!.output).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^ip saddr 192\\.168\\.10\\.10 ip daddr 192\\.168\\.10\\.100 tcp sport ${p.sourcePort} tcp dport ${p.port} meta mark set ${p.mark} comment "lbctl [0-9a-f]{8} vip-path ${p.service} ${p.server}"$`,
          ),
        ),
      );
    }
  });

  it("accepts the real servers' replies from the VIP on eth0: accept_local on, rp_filter loose", () => {
    expect(director.sysctls).toMatchObject({ 'net.ipv4.conf.eth0.accept_local': '1', 'net.ipv4.conf.eth0.rp_filter': '2' });
  });

  it('changes nothing on the real servers', () => {
    for (const web of ['web1', 'web2', 'web3']) {
      expect(states.get(web)!.nft).toEqual([]);
      expect(states.get(web)!.ipvs).toEqual([]);
    }
  });

  it('plans the services, the table and the sysctls on an empty director, and the boot unit restores the table', () => {
    const plan = planHost(director, emptyHostState('director'));
    const keys = plan.changes.map((c) => `${c.action} ${c.kind} ${c.key}`);
    for (const p of paths) expect(keys).toContain(`create ipvs-service fwmark ${p.mark}`);
    expect(keys).toContain('create nft-table ip lbctl');
    expect(keys).toContain('create sysctl net.ipv4.conf.eth0.accept_local');
    expect(director.files.find((f) => f.path === '/etc/lbctl/nft-ip.nft')?.content).toContain(
      'chain output {\n\t\ttype route hook output priority mangle; policy accept;\n',
    );
  });

  it('keeps every other path where it was when a real server is added', () => {
    const more = load(text('dr-web.yaml').replace('      - web3 ', '      - web3\n      - 192.168.10.24 '));
    const after = vipPaths(more, more.hosts.get('director')!);
    expect(after).toHaveLength(paths.length + 1);
    for (const p of paths) expect(after).toContainEqual(p);
  });

  it("has the agent probe each checked real server at VIP:port from the path's source and port", () => {
    const w = watchFor(t, 'director');
    for (const p of paths) {
      const pool = w.pools.find((pool) => pool.service === p.service)!;
      const member = pool.members.find((m) => m.key === p.server)!;
      expect(w.probes.get(member.probe!)?.via).toEqual({
        address: '192.168.10.100',
        port: p.port,
        local: { address: '192.168.10.10', port: p.sourcePort },
      });
    }
  });
});

describe('VIP path of TUN checks (tun-three-datacentres.yaml with an http check)', () => {
  const t = load(
    text('tun-three-datacentres.yaml').replace(
      '    mtu: 1480\n    directors: [director]\n    realServers:\n      - { host: rs-tokyo, weight: 3 }     #',
      '    mtu: 1480\n    check: { kind: http }\n    directors: [director]\n    realServers:\n      - { host: rs-tokyo, weight: 3 }     #',
    ),
  );

  it("probes through ipip, from the address towards the routed real servers (the next hop's network)", () => {
    const paths = vipPaths(t, t.hosts.get('director')!);
    expect(paths.map((p) => `${p.service} ${p.server} ${p.forward} from ${p.source} on ${p.device}`)).toEqual([
      'web 10.30.0.20:80 ipip from 203.0.113.5 on eth0',
      'web 192.0.2.20:80 ipip from 203.0.113.5 on eth0',
      'web 198.51.100.20:80 ipip from 203.0.113.5 on eth0',
    ]);
    const services = vipPathServices(desiredStates(t).get('director')!.ipvs);
    expect(services.map((s) => s.destinations[0]!.forward)).toEqual(['ipip', 'ipip', 'ipip']);
  });
});

describe('no VIP path', () => {
  const base = (service: string) => `apiVersion: lbctl/v1
networks:
  lan: 10.0.0.0/24
  far: 10.9.0.0/24
hosts:
  director:
    interfaces:
      eth0: { network: lan, address: 10.0.0.5/24 }
  rs1:
    interfaces:
      eth0: { network: lan, address: 10.0.0.11/24 }
    gateway: 10.0.0.1
services:
${service}
`;
  const pathsOf = (service: string) => {
    const t = load(base(service));
    return vipPaths(t, t.hosts.get('director')!).map((p) => p.server);
  };

  it.each([
    [
      'a NAT service',
      '  s: { vip: 10.0.0.100, port: 80, method: nat, directors: [director], check: { kind: tcp }, realServers: [{ address: 10.0.0.11, port: 8080 }] }',
    ],
    [
      'an address override',
      '  s: { vip: 10.0.0.100, port: 80, method: dr, directors: [director], check: { kind: tcp, address: 10.0.0.11 }, realServers: [rs1] }',
    ],
    ['an icmp check', '  s: { vip: 10.0.0.100, port: 80, method: dr, directors: [director], check: { kind: icmp }, realServers: [rs1] }'],
    [
      'a fwmark service (no VIP to probe)',
      '  s: { fwmark: 7, method: dr, directors: [director], check: { kind: tcp, port: 80 }, realServers: [rs1] }',
    ],
  ])('for %s', (_what, service) => {
    expect(pathsOf(service)).toEqual([]);
  });

  it('for a real server the director has no address towards: a warning says the check probes its own address', () => {
    const source = base(
      '  s: { vip: 10.0.0.100, port: 80, method: tun, mtu: 1480, directors: [director], check: { kind: tcp }, realServers: [{ address: 10.9.0.7 }] }',
    );
    expect(loadTopology('t.yaml', source).diagnostics.map((d) => `${d.severity} ${d.rule}`)).toContain('warning check-vip-path-source');
    expect(pathsOf(source.slice(source.indexOf('services:\n') + 'services:\n'.length).trimEnd())).toEqual([]);
  });
});

describe('reserved marks', () => {
  it("refuse a topology's own fwmark service in the VIP path's range, and allow one next to it", () => {
    const source = (mark: number) => `apiVersion: lbctl/v1
networks:
  lan: 10.0.0.0/24
hosts:
  director:
    interfaces:
      eth0: { network: lan, address: 10.0.0.5/24 }
services:
  s: { fwmark: ${mark}, method: dr, directors: [director], realServers: [10.0.0.11] }
`;
    const rules = (mark: number) => loadTopology('t.yaml', source(mark)).diagnostics.map((d) => `${d.severity} ${d.rule}`);
    expect(rules(VIP_PATH.firstMark)).toContain('error fwmark-reserved');
    expect(rules(VIP_PATH.firstMark + VIP_PATH.slots - 1)).toContain('error fwmark-reserved');
    expect(rules(VIP_PATH.firstMark - 1)).not.toContain('error fwmark-reserved');
    expect(rules(VIP_PATH.firstMark + VIP_PATH.slots)).not.toContain('error fwmark-reserved');
  });
});

describe('slots', () => {
  it('give 300 real servers 300 different marks and ports (colliding hashes take the next free slot)', () => {
    const servers = Array.from({ length: 300 }, (_, i) => `10.0.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`);
    const t = load(`apiVersion: lbctl/v1
networks:
  lan: 10.0.0.0/16
hosts:
  director:
    interfaces:
      eth0: { network: lan, address: 10.0.0.5/16 }
services:
  s: { vip: 10.0.0.100, port: 80, method: dr, directors: [director], check: { kind: tcp }, realServers: [${servers.join(', ')}] }
`);
    const paths = vipPaths(t, t.hosts.get('director')!);
    expect(paths).toHaveLength(300);
    expect(new Set(paths.map((p) => p.mark)).size).toBe(300);
    expect(new Set(paths.map((p) => p.sourcePort)).size).toBe(300);
    expect(paths.every((p) => isVipPathMark(p.mark))).toBe(true);
  });
});
