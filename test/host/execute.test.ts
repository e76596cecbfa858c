// The executor's read-back after a failed ipvsadm -R batch: it decides which changes took with
// drivers/ipvs/equal.ts, the same equality the planner uses, persistence netmask included.
import { describe, expect, it } from 'vitest';
import { executeChanges } from '../../src/host/execute.js';
import type { CommandResult, Host } from '../../src/host/port.js';
import type { IpvsServiceId } from '../../src/model/state.js';
import type { Change } from '../../src/plan/types.js';
import { FakeHost } from '../support/fake-host.js';

const id: IpvsServiceId = { protocol: 'tcp', address: '10.0.0.100', port: 443 };
const service = (netmask: string) => ({
  id,
  scheduler: 'sh',
  flags: ['sh-port', 'flag-3'],
  persistence: { timeout: 600, netmask },
  onePacket: false,
});
const real = (weight: number) => ({ service: id, address: '10.0.0.11', port: 443, forward: 'gate' as const, weight, upper: 0, lower: 0 });

/** The fake host, but its ipvsadm -R ignores the lines of one command (complaining on stderr) and runs the others. */
function ignoring(fake: FakeHost, command: string): Host {
  const host = Object.create(fake) as FakeHost;
  host.run = async (argv, options): Promise<CommandResult> => {
    if (argv.join(' ') !== 'ipvsadm -R') return fake.run(argv, options);
    const lines = (options?.stdin ?? '').split('\n').filter((l) => l !== '');
    const kept = lines.filter((l) => !l.startsWith(`${command} `));
    const r = await fake.run(argv, { stdin: kept.map((l) => `${l}\n`).join('') });
    return kept.length === lines.length ? r : { ...r, stderr: `${r.stderr}Memory allocation problem\n` };
  };
  return host;
}

describe('executeChanges: reading an ipvsadm -R batch back', () => {
  it.each([
    ['the persistence netmask', service('255.255.255.0')],
    ['the persistence timeout', { ...service('255.255.255.255'), persistence: { timeout: 60, netmask: '255.255.255.255' } }],
    ['the scheduler flags', { ...service('255.255.255.255'), flags: ['sh-fallback'] }],
  ])('an edit of %s that did not take is the failure, not an applied change', async (_what, after) => {
    const fake = new FakeHost();
    const created: Change[] = [
      { kind: 'ipvs-service', action: 'create', key: 'tcp 10.0.0.100:443', before: null, after: service('255.255.255.255') },
      { kind: 'ipvs-destination', action: 'create', key: 'tcp 10.0.0.100:443 10.0.0.11:443', before: null, after: real(1) },
    ];
    expect((await executeChanges(created, fake)).failure).toBeUndefined();
    const edits: Change[] = [
      { kind: 'ipvs-service', action: 'update', key: 'tcp 10.0.0.100:443', before: service('255.255.255.255'), after },
      { kind: 'ipvs-destination', action: 'update', key: 'tcp 10.0.0.100:443 10.0.0.11:443', before: real(1), after: real(2) },
    ];
    const result = await executeChanges(edits, ignoring(fake, '-E'));
    expect(result.failure?.change.kind).toBe('ipvs-service');
    expect(result.failure?.error.message).toContain('(line: -E -t 10.0.0.100:443');
    // The weight took; rollback puts it back.
    expect(result.applied.map((c) => c.kind)).toEqual(['ipvs-destination']);
    expect([...fake.ipvs.values()].map((s) => [s.persistence, s.destinations.map((d) => d.weight)])).toEqual([
      [service('255.255.255.255').persistence, [1]],
    ]);
  });
});

describe('executeChanges: sysctl settings in one sysctl -w', () => {
  const sysctl = (key: string, before: string | null, after: string): Change => ({
    kind: 'sysctl',
    action: before === null ? 'create' : 'update',
    key,
    before,
    after,
  });
  const arp: Change[] = [
    sysctl('net.ipv4.conf.all.arp_ignore', '0', '1'),
    sysctl('net.ipv4.conf.all.arp_announce', '0', '2'),
    sysctl('net.ipv4.conf.eth0.arp_ignore', '0', '1'),
  ];

  it('sets consecutive sysctls with one process, in their order', async () => {
    const fake = new FakeHost();
    const result = await executeChanges(arp, fake);
    expect(result.failure).toBeUndefined();
    expect(result).toMatchObject({ processes: 1, applied: arp });
    expect(fake.log).toEqual([
      'sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_ignore=1',
    ]);
    expect(fake.sysctls.get('net.ipv4.conf.eth0.arp_ignore')).toBe('1');
  });

  it('reads the old values of sysctls a module brought with one process first, and rolls back to them', async () => {
    const fake = new FakeHost();
    const changes: Change[] = [
      { kind: 'module', action: 'create', key: 'ip_vs', before: null, after: 'ip_vs' },
      sysctl('net.ipv4.vs.expire_nodest_conn', null, '1'),
      sysctl('net.ipv4.vs.expire_quiescent_template', null, '1'),
      { kind: 'address', action: 'create', key: 'lo 10.0.0.100/32', before: null, after: { device: 'lo', cidr: '10.0.0.100/32' } },
    ];
    fake.failWhen = (argv) => argv[0] === 'ip';
    const result = await executeChanges(changes, fake);
    expect(fake.log.slice(1, 3)).toEqual([
      'sysctl -e net.ipv4.vs.expire_nodest_conn net.ipv4.vs.expire_quiescent_template',
      'sysctl -q -w net.ipv4.vs.expire_nodest_conn=1 net.ipv4.vs.expire_quiescent_template=1',
    ]);
    expect(result.failure?.change.kind).toBe('address');
    expect(result.rolledBack.map((c) => [c.key, c.before])).toEqual([
      ['net.ipv4.vs.expire_quiescent_template', '0'],
      ['net.ipv4.vs.expire_nodest_conn', '0'],
    ]);
    expect(fake.sysctls.get('net.ipv4.vs.expire_nodest_conn')).toBe('0');
  });

  it('a setting sysctl cannot make is the failure, the ones it made are applied, then rolled back', async () => {
    const fake = new FakeHost();
    const changes = [arp[0]!, sysctl('net.ipv4.conf.tunl0.arp_ignore', '0', '1'), arp[1]!];
    const result = await executeChanges(changes, fake);
    expect(result.failure?.change.key).toBe('net.ipv4.conf.tunl0.arp_ignore');
    expect(result.failure?.error.message).toContain('(setting: net.ipv4.conf.tunl0.arp_ignore=1)');
    expect(result.applied.map((c) => c.key)).toEqual([arp[0]!.key, arp[1]!.key]);
    expect(result.rolledBack.map((c) => c.key)).toEqual([arp[1]!.key, arp[0]!.key]);
    expect([fake.sysctls.get(arp[0]!.key), fake.sysctls.get(arp[1]!.key)]).toEqual(['0', '0']);
  });
});
