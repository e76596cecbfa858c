// The ledger's parser: anything that is not a ledger is a clear refusal that says how to recover, never a crash.
import { describe, expect, it } from 'vitest';
import { claimChanges, LedgerUnreadable, parseLedger, recordChanges, recordDrains, recordSysctlOrigins } from '../../src/host/ledger.js';
import type { Change, ObjectAction } from '../../src/plan/types.js';

const WHERE = '/var/lib/lbctl/state.json';

describe('parseLedger', () => {
  it.each([
    ['empty', '', 'it is empty'],
    ['blank', '\n  \n', 'it is empty'],
    ['truncated', '{"version": 1, "hosts": {"web1": {"owned": ["address lo', 'it is not JSON'],
    ['an array', '[]', 'it is not a JSON object'],
    ['null', 'null', 'it is not a JSON object'],
    ['a number', '42', 'it is not a JSON object'],
    ['another version', '{"version": 2, "hosts": {}}', 'its version is 2, this lbctl reads version 1'],
    ['no hosts', '{"version": 1}', '"hosts" is not an object'],
    ['hosts as a list', '{"version": 1, "hosts": []}', '"hosts" is not an object'],
    ['a host without owned', '{"version": 1, "hosts": {"web1": {}}}', 'host "web1" has no list of owned objects'],
    ['owned of numbers', '{"version": 1, "hosts": {"web1": {"owned": [1]}}}', 'host "web1" has no list of owned objects'],
    [
      'draining of numbers',
      '{"version": 1, "hosts": {"web1": {"owned": [], "draining": {"k": 1}}}}',
      'host "web1": "draining" is not a map of times',
    ],
    [
      'sysctls as a list',
      '{"version": 1, "hosts": {"web1": {"owned": [], "sysctls": []}}}',
      'host "web1": "sysctls" is not a map of values',
    ],
  ])('refuses a ledger that is %s, saying why and how to recover', (_what, text, why) => {
    let error: unknown;
    try {
      parseLedger(text, WHERE);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LedgerUnreadable);
    const message = (error as Error).message;
    expect(message).toContain(`the ledger ${WHERE} cannot be read: ${why}`);
    expect(message).toContain(`Restore it from ${WHERE}.lbctl-backup`);
    expect(message).toContain('nothing was changed');
  });

  it('reads a ledger, and one written by the lbctl before sysctl origins were recorded', () => {
    expect(parseLedger('{"version": 1, "hosts": {"web1": {"owned": ["route inet default"]}}}', WHERE)).toEqual({
      version: 1,
      hosts: { web1: { owned: ['route inet default'] } },
    });
    const full = {
      version: 1,
      hosts: { d: { owned: [], draining: { k: '2026-01-01T00:00:00.000Z' }, sysctls: { 'net.ipv4.ip_forward': '0' } } },
    };
    expect(parseLedger(JSON.stringify(full), WHERE)).toEqual(full);
  });
});

const address = (action: ObjectAction, cidr: string): Change => ({
  action,
  kind: 'address',
  key: `lo ${cidr}`,
  before: action === 'create' ? null : { device: 'lo', cidr },
  after: action === 'delete' ? null : { device: 'lo', cidr },
});
const sysctl = (key: string, before: string | null, after: string): Change => ({
  action: before === null ? 'create' : 'update',
  kind: 'sysctl',
  key,
  before,
  after,
});
const tunl0 = (beforeUp: boolean): Change => ({
  action: 'update',
  kind: 'link',
  key: 'tunl0',
  before: { name: 'tunl0', kind: 'ipip', up: beforeUp, mtu: 1480 },
  after: { name: 'tunl0', kind: 'ipip', up: true, mtu: 1480 },
});

describe('ownership records', () => {
  it.each([
    ['a creation is owned', [address('create', '10.0.0.1/32')], ['address lo 10.0.0.1/32', 'address lo 10.0.0.9/32']],
    ['a deletion is no longer owned', [address('delete', '10.0.0.9/32')], []],
    ['sysctls are not objects to own', [sysctl('net.ipv4.ip_forward', '0', '1')], ['address lo 10.0.0.9/32']],
    ['a link brought up from down is owned (the kernel made it)', [tunl0(false)], ['address lo 10.0.0.9/32', 'link tunl0']],
    ['a link already up and only retuned is not', [tunl0(true)], ['address lo 10.0.0.9/32']],
  ])('recordChanges: %s', (_what, changes, owned) => {
    expect([...recordChanges(new Set(['address lo 10.0.0.9/32']), changes)].sort()).toEqual(owned);
  });

  it('claims creations before they run and drops nothing until a deletion has run', () => {
    const claimed = claimChanges(new Set(['address lo 10.0.0.9/32']), [address('create', '10.0.0.1/32'), address('delete', '10.0.0.9/32')]);
    expect([...claimed].sort()).toEqual(['address lo 10.0.0.1/32', 'address lo 10.0.0.9/32']);
  });

  it('keeps the first value a sysctl had before lbctl set it', () => {
    const first = recordSysctlOrigins({}, [sysctl('net.ipv4.ip_forward', '0', '1'), sysctl('net.ipv4.vs.conntrack', null, '1')]);
    expect(first).toEqual({ 'net.ipv4.ip_forward': '0' });
    expect(recordSysctlOrigins(first, [sysctl('net.ipv4.ip_forward', '1', '0')])).toEqual({ 'net.ipv4.ip_forward': '0' });
  });

  it('notes when a drain starts and forgets it once the destination is deleted', () => {
    const spec = {
      address: '10.0.0.11',
      port: 80,
      forward: 'gate' as const,
      weight: 0,
      upper: 0,
      lower: 0,
      service: { protocol: 'tcp' as const, address: '10.0.0.1', port: 80 },
    };
    const start: Change = {
      action: 'update',
      kind: 'ipvs-destination',
      key: 'tcp 10.0.0.1:80 10.0.0.11:80',
      before: { ...spec, weight: 1 },
      after: spec,
      drain: true,
    };
    const now = new Date('2026-11-30T00:00:00.000Z');
    const draining = recordDrains({}, [start], now);
    expect(draining).toEqual({ 'tcp 10.0.0.1:80 10.0.0.11:80': now.toISOString() });
    expect(recordDrains(draining, [start], new Date('2026-11-30T01:00:00.000Z'))).toEqual(draining);
    expect(recordDrains(draining, [{ ...start, action: 'delete', after: null, drain: undefined }], now)).toEqual({});
  });
});
