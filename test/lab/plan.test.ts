// The lab plan (pure): namespaces, bridges, veth pairs, the synthetic gateway router, and the commands that build it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IFNAME_MAX } from '../../src/lab/names.js';
import { labPlan, type LabPlan } from '../../src/lab/plan.js';
import { buildSteps, namespaceRemoval, vethRemoval } from '../../src/lab/steps.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';
import { runCli } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
const GOLDEN = join(import.meta.dirname, 'golden');

function topology(text: string): Topology {
  const r = loadTopology('inline.yaml', text);
  if (!r.topology) throw new Error(JSON.stringify(r.diagnostics));
  return r.topology;
}
const example = (name: string) => topology(readFileSync(join(ROOT, 'topologies', `${name}.yaml`), 'utf8'));
const interfaceNames = (p: LabPlan) => p.links.flatMap((l) => l.ends.map((e) => e.name)).concat(p.bridges.map((b) => b.name));

describe('lab plan of dr-web.yaml', () => {
  const plan = labPlan(example('dr-web'), 'dr');

  it('has one namespace per host, the switch and the gateway router', () => {
    expect(plan.namespaces).toEqual([
      'lbl-dr-sw',
      'lbl-dr-director',
      'lbl-dr-web1',
      'lbl-dr-web2',
      'lbl-dr-web3',
      'lbl-dr-client',
      'lbl-dr-gw',
    ]);
    expect(plan.bridges).toEqual([{ name: 'br-lan', network: 'lan', namespace: 'lbl-dr-sw' }]);
  });

  it('serves the gateway no host has (192.168.10.1) from the router, on the lan bridge', () => {
    expect(plan.router).toEqual({
      name: 'gw',
      namespace: 'lbl-dr-gw',
      gateway: null,
      routes: [],
      httpPorts: [],
      dnsPorts: [],
      agent: false,
      interfaces: [{ name: 'lan', network: 'lan', addresses: ['192.168.10.1/24'] }],
    });
    expect(plan.links.at(-1)).toEqual({
      network: 'lan',
      ends: [
        { namespace: 'lbl-dr-gw', name: 'lan', addresses: ['192.168.10.1/24'] },
        { namespace: 'lbl-dr-sw', name: 'gw-lan', addresses: [], bridge: 'br-lan' },
      ],
    });
  });

  it('gives each real server a web server on the ports it serves', () => {
    expect(plan.hosts.map((h) => [h.name, h.httpPorts])).toEqual([
      ['director', []],
      ['web1', [80, 443]],
      ['web2', [80, 443]],
      ['web3', [80, 443]],
      ['client', []],
    ]);
    expect(plan.hosts.every((h) => h.dnsPorts.length === 0)).toBe(true);
  });

  it('gives the real servers of a UDP service a DNS responder on the port they serve (nat-port-mapping.yaml: VIP :53 to 5353)', () => {
    const nat = labPlan(example('nat-port-mapping'), 'nat');
    expect(nat.hosts.map((h) => [h.name, h.httpPorts, h.dnsPorts])).toEqual([
      ['director', [], []],
      ['app1', [8080, 8443], [5353]],
      ['app2', [8080, 8443], [5353]],
      ['app3', [8080, 8443], []],
      ['client', [], []],
    ]);
  });

  it('is exactly the reviewed JSON that `lbctl lab plan --format json` prints', async () => {
    const run = await runCli('lab', 'plan', join(ROOT, 'topologies/dr-web.yaml'), '--name', 'dr', '--format', 'json');
    expect(run).toEqual({ code: 0, stdout: readFileSync(join(GOLDEN, 'dr-web.json'), 'utf8'), stderr: '' });
  });

  it('builds namespaces first, then per namespace the bridge and veths, forwarding, then addresses and routes; all with ip -n or netns exec', () => {
    const steps = buildSteps(plan);
    const of = (ns: string) => steps.filter((s) => s.argv.join(' ') === `ip -n ${ns} -batch -`).map((s) => s.batch);
    expect(steps[0]).toEqual({ argv: ['ip', '-batch', '-'], batch: plan.namespaces.map((ns) => `netns add ${ns}`) });
    expect(of('lbl-dr-sw')[0]).toEqual(['link set lo up', 'link add br-lan type bridge', 'link set br-lan up']);
    expect(of('lbl-dr-web1')).toEqual([
      ['link set lo up', 'link add eth0 type veth peer name web1-eth0 netns lbl-dr-sw'],
      ['addr add 192.168.10.21/24 dev eth0', 'link set eth0 up', 'route replace default via 192.168.10.1'],
    ]);
    expect(of('lbl-dr-sw')[1]).toContain('link set web1-eth0 master br-lan');
    expect(steps).toContainEqual({ argv: ['ip', 'netns', 'exec', 'lbl-dr-gw', 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'] });
    // Every veth exists before any end is configured: the end batches come after the last veth is made.
    const where = (line: (l: string) => boolean) => steps.flatMap((s, i) => (s.batch?.some(line) ? [i] : []));
    expect(Math.max(...where((l) => l.includes(' type veth ')))).toBeLessThan(Math.min(...where((l) => l.startsWith('addr add '))));
    expect(steps.every((s) => s.argv[0] === 'ip' && (s.argv[1] === '-batch' || s.argv[1] === '-n' || s.argv[1] === 'netns'))).toBe(true);
    expect(
      steps
        .filter((s) => s.argv[1] === '-n' || s.argv[1] === 'netns')
        .every((s) => /^lbl-dr-/.test(s.argv[2] === 'exec' ? s.argv[3]! : s.argv[2]!)),
    ).toBe(true);
  });

  it('refuses a word ip -batch would split or read as a comment', () => {
    const bad = { ...plan, namespaces: ['lbl-dr-sw #x'] };
    expect(() => buildSteps(bad)).toThrow('lab: "lbl-dr-sw #x" cannot be a word of an ip batch');
  });

  it("removes a namespace's veths, then the namespaces, one forced batch each (a veth gone with its peer is no stop)", () => {
    expect(vethRemoval('lbl-dr-sw', ['director-eth0', 'web1-eth0'])).toEqual([
      { argv: ['ip', '-force', '-n', 'lbl-dr-sw', '-batch', '-'], batch: ['link del director-eth0', 'link del web1-eth0'] },
    ]);
    expect(vethRemoval('lbl-dr-web1', [])).toEqual([]);
    expect(namespaceRemoval(plan.namespaces)).toEqual([
      { argv: ['ip', '-force', '-batch', '-'], batch: plan.namespaces.map((ns) => `netns del ${ns}`) },
    ]);
    expect(() => namespaceRemoval(['lbl-dr-sw #x'])).toThrow('cannot be a word of an ip batch');
  });
});

describe('lab plan of tun-three-datacentres.yaml', () => {
  const plan = labPlan(example('tun-three-datacentres'), 'tun');

  it('has a bridge per data centre and one router holding every data centre gateway', () => {
    expect(plan.namespaces).toEqual([
      'lbl-tun-sw',
      'lbl-tun-director',
      'lbl-tun-rs-tokyo',
      'lbl-tun-rs-beijing',
      'lbl-tun-rs-newyork',
      'lbl-tun-gw',
    ]);
    expect(plan.bridges.map((b) => b.name)).toEqual(['br-edge', 'br-tokyo', 'br-beijing', 'br-newyork']);
    expect(plan.router?.interfaces).toEqual([
      { name: 'edge', network: 'edge', addresses: ['203.0.113.1/24'] },
      { name: 'tokyo', network: 'tokyo', addresses: ['198.51.100.1/24'] },
      { name: 'beijing', network: 'beijing', addresses: ['192.0.2.1/24'] },
      { name: 'newyork', network: 'newyork', addresses: ['10.30.0.1/24'] },
    ]);
  });

  it('keeps every derived interface name within 15 characters', () => {
    expect(interfaceNames(plan)).toContain('rs-newyork-eth0');
    expect(interfaceNames(plan).every((n) => n.length <= IFNAME_MAX)).toBe(true);
  });

  it('is exactly the reviewed JSON', async () => {
    const run = await runCli('lab', 'plan', join(ROOT, 'topologies/tun-three-datacentres.yaml'), '--name', 'tun', '--format', 'json');
    expect(run).toEqual({ code: 0, stdout: readFileSync(join(GOLDEN, 'tun-three-datacentres.json'), 'utf8'), stderr: '' });
  });
});

describe('lab plan naming and wiring rules', () => {
  const P2P = `apiVersion: lbctl/v1
networks:
  wire: { prefix: 10.1.0.0/30, pointToPoint: true }
  a-very-long-network-name: 10.2.0.0/24
hosts:
  alpha:
    interfaces:
      eth0: { network: wire, address: 10.1.0.1/30 }
      eth1: { network: a-very-long-network-name, address: 10.2.0.1/24 }
  a-very-long-host-name:
    interfaces:
      eth0: { network: wire, address: 10.1.0.2/30 }
      eth1: { network: a-very-long-network-name, address: 10.2.0.2/24 }
    gateway: 10.1.0.1
`;

  it('wires a point-to-point network of two hosts as one veth pair, and needs no router when every gateway is a host', () => {
    const plan = labPlan(topology(P2P), 'p');
    expect(plan.links.filter((l) => l.network === 'wire')).toEqual([
      {
        network: 'wire',
        ends: [
          { namespace: 'lbl-p-alpha', name: 'eth0', addresses: ['10.1.0.1/30'] },
          { namespace: 'lbl-p-a-very-long-host-name', name: 'eth0', addresses: ['10.1.0.2/30'] },
        ],
      },
    ]);
    expect(plan.router).toBeNull();
    expect(plan.namespaces).toEqual(['lbl-p-sw', 'lbl-p-alpha', 'lbl-p-a-very-long-host-name']);
  });

  it('falls back to short indexed names when a derived name would pass 15 characters', () => {
    const plan = labPlan(topology(P2P), 'p');
    expect(plan.bridges).toEqual([{ name: 'br.1', network: 'a-very-long-network-name', namespace: 'lbl-p-sw' }]);
    expect(plan.links.filter((l) => l.network !== 'wire').map((l) => l.ends[1].name)).toEqual(['alpha-eth1', 'p.1.1']);
    expect(interfaceNames(plan).every((n) => n.length <= IFNAME_MAX)).toBe(true);
  });

  it('bridges a point-to-point network when the router must join it', () => {
    const plan = labPlan(topology(P2P.replace('gateway: 10.1.0.1', 'gateway: 10.1.0.3')), 'p');
    expect(plan.bridges.map((b) => b.network)).toEqual(['wire', 'a-very-long-network-name']);
    expect(plan.router?.interfaces).toEqual([{ name: 'wire', network: 'wire', addresses: ['10.1.0.3/30'] }]);
  });

  it('refuses lab names with "-" (they would make one lab\'s prefix match another\'s namespaces) and a host named sw', () => {
    expect(() => labPlan(topology(P2P), 'a-b')).toThrow(/no "-"/);
    expect(() => labPlan(topology(P2P.replace('alpha', 'sw')), 'p')).toThrow(/switch namespace/);
  });
});
