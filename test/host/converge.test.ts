// The apply use case on the fake host: refusals before anything changes, what the ledger makes lbctl delete and
// restore, drains from weight 0 to deletion, and what reaches the operator as typed results.
import { describe, expect, it } from 'vitest';
import { applyHost, type ApplyOptions, type ApplyResult } from '../../src/host/apply.js';
import { LEDGER_PATH, LedgerUnreadable, parseLedger } from '../../src/host/ledger.js';
import { LockHeld } from '../../src/host/port.js';
import { Unprepared } from '../../src/host/preflight.js';
import { desiredStates } from '../../src/desired/desired.js';
import type { HostState } from '../../src/model/state.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeHost } from '../support/fake-host.js';

/** A DR director `d` and real server `rs1` of service web, with the real servers given. */
function topology(realServers: string, extra = ''): Map<string, HostState> {
  const text = `apiVersion: lbctl/v1
networks: { lan: 10.0.0.0/24 }
hosts:
  d: { interfaces: { eth0: { network: lan, address: 10.0.0.1/24 } } }
  rs1: { interfaces: { eth0: { network: lan, address: 10.0.0.11/24 } } }
services:
  web: { vip: 10.0.0.100, port: 80, method: dr, directors: [d], realServers: [${realServers}] }
${extra}`;
  const r = loadTopology('t.yaml', text);
  if (!r.topology) throw new Error(JSON.stringify(r.diagnostics));
  return desiredStates(r.topology);
}

const OPTIONS: ApplyOptions = { requireRoot: true, reload: true, drainTimeoutSec: 300, what: 'test' };
const apply = (fake: FakeHost, desired: HostState, options: Partial<ApplyOptions> = {}): Promise<ApplyResult> =>
  applyHost(fake, desired, { ...OPTIONS, ...options });
const owned = (fake: FakeHost, host: string) => parseLedger(fake.files.get(LEDGER_PATH)!.content, LEDGER_PATH).hosts[host];

describe('refusals before anything changes', () => {
  it.each([
    ['not root', (f: FakeHost) => void (f.facts_ = { ...f.facts_, uid: 1000 }), Unprepared, 'must run as root'],
    [
      'a missing tool',
      (f: FakeHost) => void f.absentTools.add('ipvsadm'),
      Unprepared,
      'ipvsadm is not installed on fake host: apt-get install ipvsadm',
    ],
    ['no IPVS', (f: FakeHost) => void (f.facts_ = { ...f.facts_, ipvs: 'absent' }), Unprepared, 'the kernel of fake host has no IPVS'],
    [
      'a full disk',
      (f: FakeHost) => void (f.writeProblem = '/var/lib has 12 KiB free; lbctl needs 1100 KiB'),
      Unprepared,
      'cannot write on fake host: /var/lib has 12 KiB free',
    ],
    [
      'a held lock',
      (f: FakeHost) => void (f.lockedBy = 'apply other.yaml --host d'),
      LockHeld,
      'another lbctl (apply other.yaml --host d) holds the lock',
    ],
    [
      'an unreadable ledger',
      (f: FakeHost) => void f.files.set(LEDGER_PATH, { content: '{"version": 1, "hosts": [', mode: 0o600 }),
      LedgerUnreadable,
      'cannot be read: it is not JSON',
    ],
  ])('%s', async (_what, arrange, type, message) => {
    const fake = new FakeHost();
    arrange(fake);
    const before = fake.snapshot();
    const log = fake.log.length;
    const error = await apply(fake, topology('rs1').get('d')!).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(message);
    expect(fake.snapshot()).toBe(before);
    expect(fake.log.slice(log).filter((l) => !/^(ipvsadm-save|ipvsadm -Ln|ip -j|sysctl -a|cat|nft -j)/.test(l))).toEqual([]);
  });
});

describe('results', () => {
  it('check-only stops at the plan (pending), a declined confirmation changes nothing, and a second apply is unchanged', async () => {
    const desired = topology('rs1').get('d')!;
    const fake = new FakeHost();
    const before = fake.snapshot();
    expect((await apply(fake, desired, { checkOnly: true })).kind).toBe('pending');
    expect((await apply(fake, desired, { confirm: async () => false })).kind).toBe('declined');
    expect(fake.snapshot()).toBe(before);
    expect((await apply(fake, desired)).kind).toBe('converged');
    expect((await apply(fake, desired)).kind).toBe('unchanged');
  });

  it('a host whose daemons do not read its files (below --root) gets no reloads', async () => {
    const fake = new FakeHost();
    fake.live = false;
    const result = await apply(fake, topology('rs1').get('d')!);
    expect(result.plan.changes.filter((c) => c.kind === 'reload')).toEqual([]);
    expect(fake.log.filter((l) => l.startsWith('systemctl'))).toEqual([]);
  });

  it('an interruption before the first change leaves the host as it was', async () => {
    const fake = new FakeHost();
    const before = fake.snapshot();
    const result = await apply(fake, topology('rs1').get('d')!, { interrupted: () => true });
    expect(result.kind === 'failed' && result.cause).toBe('interrupted');
    expect(fake.snapshot()).toBe(before);
  });
});

describe('what the ledger makes apply do', () => {
  it('removes what lbctl created and the topology no longer wants, files included, and restores the sysctls it set', async () => {
    const fake = new FakeHost();
    fake.sysctls.set('net.ipv4.conf.all.arp_ignore', '0');
    const before = fake.snapshot();
    const withRs = topology('rs1').get('rs1')!;
    expect((await apply(fake, withRs)).kind).toBe('converged');
    expect(fake.sysctls.get('net.ipv4.conf.all.arp_ignore')).toBe('1');
    expect(fake.files.has('/etc/sysctl.d/90-lbctl.conf')).toBe(true);
    expect(owned(fake, 'rs1')?.sysctls).toMatchObject({ 'net.ipv4.conf.all.arp_ignore': '0' });
    // rs1 leaves every service: its VIP, its files and its ARP settings go; the sysctl origins are forgotten.
    const without = topology('"10.0.0.12"').get('rs1')!;
    const result = await apply(fake, without);
    expect(result.kind).toBe('converged');
    expect(result.plan.changes.map((c) => `${c.action} ${c.kind} ${c.key}`)).toEqual(
      expect.arrayContaining([
        'delete address lo 10.0.0.100/32',
        'delete file /etc/sysctl.d/90-lbctl.conf',
        'update sysctl net.ipv4.conf.all.arp_ignore',
      ]),
    );
    expect(fake.snapshot()).toBe(before);
    expect(owned(fake, 'rs1')).toEqual({ owned: [], draining: {}, sysctls: {} });
    expect((await apply(fake, without)).kind).toBe('unchanged');
  });

  it('leaves a foreign VIP alone (unmanaged), and removes it with pruneForeign', async () => {
    const fake = new FakeHost();
    fake.addresses.set('lo 192.0.2.1/32', { device: 'lo', cidr: '192.0.2.1/32' });
    const desired = topology('rs1').get('rs1')!;
    const first = await apply(fake, desired);
    expect(first.plan.unmanaged).toEqual([{ kind: 'address', key: 'lo 192.0.2.1/32' }]);
    expect(fake.addresses.has('lo 192.0.2.1/32')).toBe(true);
    const pruned = await apply(fake, desired, { pruneForeign: true });
    expect(pruned.plan.changes.map((c) => `${c.action} ${c.key}`)).toEqual(['delete lo 192.0.2.1/32']);
    expect(fake.addresses.has('lo 192.0.2.1/32')).toBe(false);
  });
});

describe('a real server leaving a service drains first', () => {
  const two = () => topology('rs1, "10.0.0.12"').get('d')!;
  const one = () => topology('rs1').get('d')!;
  const weightOf = (fake: FakeHost, address: string) => [...fake.ipvs.values()][0]!.destinations.find((d) => d.address === address)?.weight;

  it.each([
    ['no connections: weight 0, then deleted in the same apply', 0, 300, [0, undefined]],
    ['connections left: weight 0, kept until they end', 3, 300, [0, 0]],
    ['connections left past the drain timeout: deleted', 3, 0, [0, undefined]],
  ])('%s', async (_what, active, timeout, [afterFirst, afterSecond]) => {
    const fake = new FakeHost();
    await apply(fake, two());
    fake.activeConns.set('10.0.0.12:80', active);
    const first = await apply(fake, one(), { drainTimeoutSec: timeout });
    expect(first.plan.draining?.map((d) => [d.key, d.phase])).toEqual([['tcp 10.0.0.100:80 10.0.0.12:80', 'weight-0']]);
    expect(first.kind).toBe('converged');
    if (afterFirst === 0 && active > 0) expect(weightOf(fake, '10.0.0.12')).toBe(0);
    const second = await apply(fake, one(), { drainTimeoutSec: timeout });
    expect(weightOf(fake, '10.0.0.12')).toBe(afterSecond);
    if (afterSecond === 0)
      expect(second.plan.draining).toEqual([{ key: 'tcp 10.0.0.100:80 10.0.0.12:80', phase: 'connections', activeConns: active }]);
    else expect(owned(fake, 'd')?.draining).toEqual({});
  });
});
