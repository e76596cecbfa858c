// `lab run` and the refusal that points to it, without building anything: command lines, messages, parsing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Runner } from '../../src/host/port.js';
import { parseAnswers } from '../../src/lab/check.js';
import { dnsCommand, dnsLaunches, zoneRecords } from '../../src/lab/dns.js';
import { frrCommand, frrLaunches } from '../../src/lab/frr.js';
import { labPlan } from '../../src/lab/plan.js';
import { ipvsRefusal, unappliable, vmCommand } from '../../src/lab/preflight.js';
import { vmJobCommand } from '../../src/lab/run.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';
import { runCli } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
const file = (name: string) => join(ROOT, 'topologies', `${name}.yaml`);
const example = (name: string): Topology => loadTopology(`${name}.yaml`, readFileSync(file(name), 'utf8')).topology!;
/** A runner for which every command succeeds with no output (so `modprobe -n ip_vs` says IPVS can be loaded). */
const agreeing: Runner = { run: () => Promise.resolve({ exitCode: 0, stdout: '', stderr: '' }) };
/** A runner on which modprobe finds no ip_vs. */
const noIpvs: Runner = { run: (argv) => Promise.resolve({ exitCode: argv[0] === 'modprobe' ? 1 : 0, stdout: '', stderr: '' }) };

describe('the refusal of a lab with directors on a kernel without IPVS', () => {
  it('names the command that runs the lab in the VM, as the operator typed the file', () => {
    expect(ipvsRefusal(['director'], 'topologies/dr-web.yaml', 'lab')).toBe(
      'host director needs IPVS, which this kernel does not have (/proc/net/ip_vs is missing): run the lab in the IPVS VM with `lbctl lab run topologies/dr-web.yaml --vm` (up, traffic check or `-- CMD`, down), or build the network only with --no-apply; nothing was created',
    );
    expect(ipvsRefusal(['lb1', 'lb2'], 'six.yaml', 'six')).toMatch(
      /^hosts lb1, lb2 need IPVS, .* `lbctl lab run six\.yaml --name six --vm` /,
    );
  });

  it('quotes a file name the shell would split', () => {
    expect(vmCommand("my lab's.yaml", 'lab')).toBe(`lbctl lab run 'my lab'\\''s.yaml' --vm`);
  });

  it('is what lab up says when modprobe finds no ip_vs (and /proc/net/ip_vs is missing)', async ({ skip }) => {
    if (existsSync('/proc/net/ip_vs')) skip('this kernel has IPVS');
    const t = example('dr-web');
    expect(await unappliable(t, labPlan(t, 'lab'), 'topologies/dr-web.yaml', noIpvs)).toBe(
      ipvsRefusal(['director'], 'topologies/dr-web.yaml', 'lab'),
    );
  });

  it('no longer refuses the zone servers of dns-six-load-balancers.yaml: the lab serves their records itself', async () => {
    const t = example('dns-six-load-balancers');
    expect(await unappliable(t, labPlan(t, 'six'), 'six.yaml', agreeing)).toBeNull();
  });

  it("accepts dns-anycast-ospf.yaml: its routing reloads are replaced by the lab's FRR instances", async () => {
    const t = example('dns-anycast-ospf');
    expect(await unappliable(t, labPlan(t, 'lab'), 'x.yaml', agreeing)).toBeNull();
  });
});

describe('lbctl lab run on the command line', () => {
  it('lab up --vm is refused with the real command (a VM cannot hand a lab back to the shell)', async () => {
    const r = await runCli('lab', 'up', 'topologies/dr-web.yaml', '--vm');
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(
      'lbctl: lab up has no --vm: a VM lives only as long as its job, so it cannot hand the lab back to this shell; `lbctl lab run topologies/dr-web.yaml --vm [-- CMD ARGS...]` brings the lab up in the IPVS VM, runs the traffic check or CMD there and takes it down\n',
    );
  });

  it('takes CMD after -- without reading its options as its own', async () => {
    const r = await runCli(
      'lab',
      'run',
      join(ROOT, 'no-such-topology.yaml'),
      '--vm',
      '--',
      'curl',
      '-s',
      '--max-time',
      '2',
      'http://192.168.10.100/',
    );
    expect(r.code).toBe(66); // the file, not an unknown option -s
  });

  it('refuses a bad --requests, --timeout or lab name before building anything', async () => {
    expect((await runCli('lab', 'run', file('dr-web'), '--requests', '0')).code).toBe(64);
    expect((await runCli('lab', 'run', file('dr-web'), '--vm', '--timeout', 'soon')).code).toBe(64);
    expect(await runCli('lab', 'run', file('dr-web'), '--name', 'a-b')).toMatchObject({
      code: 64,
      stderr: expect.stringContaining('must be 1-32 letters, digits or "_"'),
    });
  });

  it("runs in the VM this lbctl's `lab run` without --vm, on the same file, lab, request count and CMD", () => {
    const lbctl = join(ROOT, 'bin/lbctl');
    expect(vmJobCommand({ file: '/t/dr.yaml', lab: 'lab', requests: 12, command: [] })).toEqual([
      process.execPath,
      lbctl,
      'lab',
      'run',
      '/t/dr.yaml',
      '--name',
      'lab',
      '--requests',
      '12',
    ]);
    expect(vmJobCommand({ file: '/t/dr.yaml', lab: 'x', requests: 6, command: ['sh', '-c', 'exit 3'] })).toEqual([
      process.execPath,
      lbctl,
      'lab',
      'run',
      '/t/dr.yaml',
      '--name',
      'x',
      '--requests',
      '6',
      '--',
      'sh',
      '-c',
      'exit 3',
    ]);
  });
});

describe('zone records served by the lab (dnsmasq)', () => {
  const records = `; generated by lbctl: do not edit, changes are overwritten
$ORIGIN mycompany.com.
hello.vip\t60\tIN\tA\t203.0.113.101
hello.vip\t60\tIN\tA\t203.0.113.102
@\t30\tIN\tAAAA\t2001:db8::1
abs.example.\t60\tIN\tA\t192.0.2.1
hello\t60\tIN\tCNAME\thello.vip
`;

  it('reads the A/AAAA records of a records file as apply writes it, names made absolute', () => {
    expect(zoneRecords(records, 'mycompany.com')).toEqual([
      { name: 'hello.vip.mycompany.com', ttl: 60, address: '203.0.113.101' },
      { name: 'hello.vip.mycompany.com', ttl: 60, address: '203.0.113.102' },
      { name: 'mycompany.com', ttl: 30, address: '2001:db8::1' },
      { name: 'abs.example', ttl: 60, address: '192.0.2.1' },
    ]);
  });

  it('starts dnsmasq on the zone servers of dns-six-load-balancers.yaml with the zone local and one --host-record per record', () => {
    const t = example('dns-six-load-balancers');
    const launches = dnsLaunches(t, labPlan(t, 'six').hosts);
    expect(launches.map((l) => [l.host.name, l.addresses, l.zones])).toEqual([
      ['dnslb1', ['203.0.113.53'], ['mycompany.com']],
      ['dnslb2', ['203.0.113.54'], ['mycompany.com']],
    ]);
    const argv = dnsCommand('six', launches[0]!, zoneRecords(records, 'mycompany.com').slice(0, 2));
    expect(argv.slice(-3)).toEqual([
      '--local=/mycompany.com/',
      '--host-record=hello.vip.mycompany.com,203.0.113.101,60',
      '--host-record=hello.vip.mycompany.com,203.0.113.102,60',
    ]);
    expect(argv).toContain('--listen-address=203.0.113.53');
  });
});

describe('FRR instances of dns-anycast-ospf.yaml', () => {
  it('hands the quagga-style routers, through vtysh, the timers their files can only carry as comments; the frr.conf nodes nothing', async () => {
    const t = example('dns-anycast-ospf');
    const launches = await frrLaunches(
      t,
      'seed',
      labPlan(t, 'seed').hosts.filter((h) => h.name === 'r1' || h.name === 'dns1'),
    );
    const afterDaemons = (host: string) => {
      const argv = frrCommand(launches.find((l) => l.host.name === host)!);
      return argv.slice(argv.indexOf('--') + 1);
    };
    expect(afterDaemons('r1')).toEqual([
      'configure terminal',
      'interface eth0',
      'ip ospf dead-interval 3',
      'ip ospf hello-interval 1',
      'ip ospf retransmit-interval 1',
      'interface eth1',
      'ip ospf dead-interval 3',
      'ip ospf hello-interval 1',
      'ip ospf retransmit-interval 1',
      'router ospf',
      'ospf router-id 10.211.55.17',
      'timers throttle spf 0 50 1000',
      'timers throttle lsa all 0',
      'timers lsa min-arrival 0',
      'maximum-paths 4',
      'network 10.0.0.0/24 area 0.0.0.2',
      'network 10.211.55.0/24 area 0.0.0.0',
      'network 10.211.77.0/24 area 0.0.0.2',
    ]);
    expect(afterDaemons('dns1')).toEqual([]);
  });

  it('dns-anycast-ospf6.yaml: a quagga-style router runs ospf6d, gets its router id into zebra first and its OSPFv3 lines through vtysh', async () => {
    const t = example('dns-anycast-ospf6');
    const [r1] = await frrLaunches(
      t,
      'six',
      labPlan(t, 'six').hosts.filter((h) => h.name === 'r1'),
    );
    expect(r1).toMatchObject({ daemons: ['ospfd', 'ospf6d'], zebraRouterId: '10.211.55.17' });
    const argv = frrCommand(r1!);
    expect(argv.slice(argv.indexOf('per-daemon') + 1, argv.indexOf('--'))).toEqual(['10.211.55.17', 'ospfd', 'ospf6d']);
    expect(r1!.vtysh).toEqual(
      expect.arrayContaining(['interface eth2', 'ipv6 ospf6 area 0.0.0.0', 'router ospf6', 'ospf6 router-id 10.211.55.17']),
    );
  });
});

describe('DNS responders of the real servers of UDP services', () => {
  const withUdp = (yaml: string) => loadTopology('dr-udp.yaml', yaml).topology!;

  it('nat-port-mapping.yaml: app1 and app2 answer on their own address, port 5353 (the VIP :53 maps to it), with their pid and log apart', () => {
    const t = example('nat-port-mapping');
    const launches = dnsLaunches(t, labPlan(t, 'nat').hosts);
    expect(launches.map((l) => [l.host.name, l.addresses, l.port, l.self, l.zones])).toEqual([
      ['app1', ['10.10.0.11'], 5353, '10.10.0.11', []],
      ['app2', ['10.10.0.12'], 5353, '10.10.0.12', []],
    ]);
    const argv = dnsCommand('nat', launches[0]!);
    expect(argv).toContain('--port=5353');
    expect(argv).toContain('--txt-record=whoami.lab.test,app1');
    expect(argv.find((a) => a.startsWith('--pid-file='))).toMatch(/\/app1\/dnsmasq-5353\.pid$/);
  });

  it('a DR real server also listens on the VIP (packets arrive addressed to it), merged into the port-53 server of a dns host', () => {
    const yaml = readFileSync(file('dr-web'), 'utf8')
      .replace('  web1:\n    roles: [real-server]', '  web1:\n    roles: [real-server, dns]')
      .concat(
        '  dns:\n    vip: 192.168.10.100\n    port: 53\n    protocol: udp\n    method: dr\n    directors: [director]\n    realServers: [web1, web2]\n',
      );
    const t = withUdp(yaml);
    const launches = dnsLaunches(t, labPlan(t, 'dr').hosts);
    expect(launches.map((l) => [l.host.name, l.addresses, l.port])).toEqual([
      ['web1', ['192.168.10.21', '192.168.10.100'], 53],
      ['web2', ['192.168.10.22', '192.168.10.100'], 53],
    ]);
    expect(dnsCommand('dr', launches[0]!)).not.toContain('--port=53');
  });
});

describe("the traffic check's reading of curl", () => {
  it('counts each answered request (server name, client address it saw) and the ones with an HTTP error', () => {
    const out = 'web1\n192.168.10.50\n=lbctl-http 200\nweb2\n192.168.10.50\n=lbctl-http 200\n<html>404</html>\n=lbctl-http 404\n';
    expect(parseAnswers(out)).toEqual({
      answers: [
        ['web1', '192.168.10.50'],
        ['web2', '192.168.10.50'],
      ],
      other: 1,
    });
    expect(parseAnswers('')).toEqual({ answers: [], other: 0 });
  });
});
