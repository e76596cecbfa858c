// Writer → parser → equal, for every scheduler, every scheduler-flag combination ipvsadm accepts for it,
// and every service and real-server option lbctl models: what lbctl writes, it reads back as the same
// typed value, and the plan of the written values against what was read back is empty.
import { describe, expect, it } from 'vitest';
import { destinationAttrsEqual, serviceAttrsEqual } from '../../../src/drivers/ipvs/equal.js';
import { canonicalSchedFlags, SCHED_FLAGS, type SchedFlag } from '../../../src/drivers/ipvs/flags.js';
import { parseIpvsadmSaveDetailed } from '../../../src/drivers/ipvs/parse-save.js';
import { destinationRule, restoreText, rulesText, serviceRule } from '../../../src/drivers/ipvs/rules.js';
import { desiredStates } from '../../../src/desired/desired.js';
import { canonicalIp } from '../../../src/net/ip.js';
import { destinationKey, serviceKey, sortedBy } from '../../../src/model/keys.js';
import {
  emptyHostState,
  type HostState,
  type IpvsDestination,
  type IpvsService,
  type IpvsServiceId,
  type Persistence,
} from '../../../src/model/state.js';
import { diffHost } from '../../../src/plan/diff.js';
import { loadTopology } from '../../../src/topology/load.js';
import { SCHEDULERS } from '../../../src/topology/schema-values.js';

/** Every subset of a list, the empty one included. */
function subsets<T>(items: readonly T[]): T[][] {
  return items.reduce<T[][]>((acc, item) => [...acc, ...acc.map((s) => [...s, item])], [[]]);
}

/** The -b names ipvsadm accepts with a scheduler: the generic flag-N and the scheduler's own. */
const acceptedFlags = (scheduler: string): SchedFlag[] =>
  (Object.keys(SCHED_FLAGS) as SchedFlag[]).filter((f) => [null, scheduler].includes(SCHED_FLAGS[f].scheduler));

const v4 = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const v6 = (n: number) => canonicalIp(`2001:db8::${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}`)!;
const real = (address: string, port: number, over: Partial<IpvsDestination> = {}): IpvsDestination => ({
  address,
  port,
  forward: 'gate',
  weight: 1,
  upper: 0,
  lower: 0,
  ...over,
});
const plain = { scheduler: 'wlc', flags: [], persistence: null, onePacket: false };

let next = 1;
/** A service with a fresh id of the given kind, and one real server unless others are given. */
function service(
  kind: 'tcp4' | 'tcp6' | 'udp4' | 'udp6' | 'sctp4' | 'sctp6' | 'fwmark4' | 'fwmark6',
  attrs: Partial<IpvsService> = {},
  mark?: number,
): IpvsService {
  const n = next++;
  const six = kind.endsWith('6');
  const protocol = kind.slice(0, -1) as 'tcp' | 'udp' | 'sctp' | 'fwmark';
  const id: IpvsServiceId =
    protocol === 'fwmark'
      ? { protocol, mark: mark ?? n, family: six ? 'inet6' : 'inet' }
      : { protocol, address: six ? v6(n) : v4(n), port: 80 };
  return { id, ...plain, destinations: [real(six ? v6(0x10000 + n) : v4(0x10000 + n), protocol === 'fwmark' ? 0 : 8080)], ...attrs };
}

// Every scheduler with every set of flag names ipvsadm accepts for it, held in canonical form.
const flagCases = SCHEDULERS.flatMap((scheduler) =>
  subsets(acceptedFlags(scheduler)).map((written) => ({
    scheduler,
    written,
    service: service('tcp4', { scheduler, flags: canonicalSchedFlags(scheduler, written) }),
  })),
);

const V4_MASKS = ['255.255.255.255', '255.255.255.0', '255.255.0.0', '255.0.0.0', '128.0.0.0'];
const V6_MASKS = ['128', '64', '48', '1'];
const persistence = (timeout: number, netmask: string): Persistence => ({ timeout, netmask });

const optionServices: IpvsService[] = [
  // Persistence: timeouts and every kind of netmask, IPv4 (dotted) and IPv6 (prefix length).
  ...[1, 300, 86400].flatMap((t) => V4_MASKS.map((m) => service('tcp4', { persistence: persistence(t, m) }))),
  ...[1, 300, 86400].flatMap((t) => V6_MASKS.map((m) => service('tcp6', { persistence: persistence(t, m) }))),
  // One-packet scheduling, alone and with persistence and flags.
  service('udp4', { onePacket: true }),
  service('udp6', { onePacket: true }),
  service('udp4', { onePacket: true, scheduler: 'sh', flags: ['sh-port'], persistence: persistence(60, '255.255.255.0') }),
  service('udp6', { onePacket: true, persistence: persistence(60, '64') }),
  // SCTP.
  service('sctp4', { scheduler: 'rr' }),
  service('sctp6', { scheduler: 'mh', flags: ['mh-fallback', 'mh-port'] }),
  // Firewall-mark services, IPv4 and IPv6, up to the largest u32 (which ipvsadm-save prints negative).
  ...[1, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1].map((mark) => service('fwmark4', { persistence: persistence(120, '255.255.255.0') }, mark)),
  ...[1, 2 ** 32 - 1].map((mark) => service('fwmark6', { persistence: persistence(120, '64') }, mark)),
  service('fwmark4', { scheduler: 'sh', flags: ['sh-fallback', 'sh-port', 'flag-3'] }, 77),
];

// Every forwarding method with weights and upper/lower thresholds, IPv4 and IPv6 real servers.
const WEIGHTS = [0, 1, 7, 65535];
const THRESHOLDS: [number, number][] = [
  [0, 0],
  [100, 0],
  [0, 10],
  [1000, 800],
];
const destinations = (address: (n: number) => string): IpvsDestination[] =>
  (['gate', 'masq', 'ipip'] as const).flatMap((forward, f) =>
    WEIGHTS.flatMap((weight, w) =>
      THRESHOLDS.map(([upper, lower], t) => real(address(0x20000 + f), 1000 + w * 10 + t, { forward, weight, upper, lower })),
    ),
  );
const destinationServices = [service('tcp4', { destinations: destinations(v4) }), service('tcp6', { destinations: destinations(v6) })];

const all = [...flagCases.map((c) => c.service), ...optionServices, ...destinationServices];
const hostWith = (ipvs: IpvsService[]): HostState => ({ ...emptyHostState('director'), ipvs });
const parse = (services: IpvsService[]) => parseIpvsadmSaveDetailed(rulesText(services));

describe('IPVS writer → parser round trip', () => {
  const parsed = parse(all);
  const byKey = new Map(parsed.services.map((s) => [serviceKey(s.id), s]));

  it('covers every scheduler and every flag combination ipvsadm accepts for it', () => {
    expect(new Set(flagCases.map((c) => c.scheduler))).toEqual(new Set(SCHEDULERS));
    // sh and mh: 2^5 subsets of {own fallback, own port, flag-1..3}; the others: 2^3 of flag-1..3.
    expect(flagCases).toHaveLength(2 * 32 + (SCHEDULERS.length - 2) * 8);
  });

  it('reads back every service, nothing else and nothing unmodelled', () => {
    expect(parsed.unmodelled).toEqual([]);
    expect(parsed.services.map((s) => serviceKey(s.id)).sort()).toEqual(all.map((s) => serviceKey(s.id)).sort());
  });

  it.each(all.map((s) => [serviceKey(s.id), s] as const))('%s reads back as the same typed value', (key, written) => {
    const read = byKey.get(key);
    expect(read).toEqual({ ...written, destinations: sortedBy(written.destinations, destinationKey) });
    expect(serviceAttrsEqual(read!, written)).toBe(true);
    for (const d of written.destinations) {
      expect(
        destinationAttrsEqual(
          read!.destinations.find((x) => destinationKey(x) === destinationKey(d))!,
          d,
          true,
        ),
      ).toBe(true);
    }
  });

  it('writes the table as the lines of its rules: each service (-A), then its real servers (-a)', () => {
    const rules = all.flatMap((s) => [serviceRule('create', s), ...s.destinations.map((d) => destinationRule('create', s.id, d))]);
    expect(rulesText(all)).toBe(restoreText(rules));
  });

  it('plans nothing for the written values against what was read back', () => {
    expect(diffHost(hostWith(all), hostWith(parsed.services), new Set())).toEqual({ changes: [], unmanaged: [], draining: [] });
  });

  it.each(flagCases.map((c) => [c.scheduler, c.written.join(',') || '(none)', c] as const))(
    '%s -b %s, as written, reads back in canonical form',
    (_s, _w, c) => {
      const written = { ...c.service, flags: c.written };
      expect(parse([written]).services[0]?.flags).toEqual(c.service.flags);
    },
  );

  it.each([
    ['scheduler', { scheduler: 'rr' }],
    ['flag order', { scheduler: 'sh', flags: ['flag-3', 'sh-port'] as string[] }],
    ['persistence timeout', { persistence: persistence(301, '255.255.255.0') }],
    ['persistence netmask', { persistence: persistence(300, '255.255.0.0') }],
    ['one-packet', { onePacket: true }],
  ] as const)('a different %s is a difference, to the equality and to the plan', (_what, change) => {
    const base = service('udp4', { scheduler: 'sh', flags: ['sh-port', 'flag-3'], persistence: persistence(300, '255.255.255.0') });
    const other = { ...base, ...change };
    expect(serviceAttrsEqual(base, other)).toBe(false);
    expect(diffHost(hostWith([other]), hostWith(parse([base]).services), new Set()).changes.map((c) => c.kind)).toEqual(['ipvs-service']);
  });

  it.each([
    ['method', { forward: 'masq' }, true],
    ['weight', { weight: 2 }, true],
    ['upper threshold', { upper: 5 }, true],
    ['lower threshold', { lower: 5 }, true],
    ['upper threshold (unseen)', { upper: 5 }, false],
  ] as const)('a different %s is a difference to the equality when it can be seen', (what, change, seen) => {
    const d = real('10.9.9.9', 80);
    expect(destinationAttrsEqual(d, { ...d, ...change }, seen)).toBe(!seen);
  });
});

describe("a topology's scheduler flags plan nothing once applied", () => {
  const topology = (flags: string) => `apiVersion: lbctl/v1
networks: { lan: 10.0.0.0/24 }
hosts:
  d: { interfaces: { eth0: { network: lan, address: 10.0.0.1/24 } } }
  rs: { interfaces: { eth0: { network: lan, address: 10.0.0.11/24 } }, gateway: 10.0.0.1 }
services:
  web: { vip: 10.0.0.100, port: 80, scheduler: sh, flags: ${flags}, method: nat, directors: [d], realServers: [{ host: rs }] }
`;

  // [sh-port, flag-3] was sorted to [flag-3, sh-port] while ipvsadm prints sh-port,flag-3: "~ ipvs-service" forever.
  it.each(['[sh-port, flag-3]', '[flag-3, sh-port]', '[flag-1, flag-2]', '[sh-fallback, flag-1]', '[flag-3, flag-2, sh-fallback]'])(
    'flags: %s',
    (flags) => {
      const { topology: t, diagnostics } = loadTopology('t.yaml', topology(flags));
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const desired = desiredStates(t!).get('d')!;
      const observed = hostWith(parse(desired.ipvs).services);
      expect(diffHost(hostWith(desired.ipvs), observed, new Set()).changes).toEqual([]);
    },
  );
});
