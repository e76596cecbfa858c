// The order of a rollout, on fake hosts: one DR real server added and another removed (dr-swap.yaml, web1+web2 to
// web1+web3). After every command any host runs, each destination on the director must be a real server that holds
// the VIP on lo with arp_ignore set: a packet the director sends there is answered; and no host may hold the VIP on
// lo with arp_ignore relaxed: it would answer the clients' ARP for the VIP and draw their traffic. The ordered rollout keeps that
// true throughout (web3 prepared before the director adds it; web2 drained and deleted before it loses the VIP), and
// its events say so; the two naive orders, director first or real servers first, break it, so the check can tell.
// With a TCP check on the service, the director also proves web3 through its VIP path (at weight 0) before sending
// it anything, and a director applied before web3 is ready stops there, sending it nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import { identityOf } from '../../src/desired/identity.js';
import { rolesOf } from '../../src/desired/roles.js';
import { rollout, type RolloutEvent, type RolloutHost } from '../../src/host/rollout.js';
import { eventJson } from '../../src/present/rollout.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeHost } from '../support/fake-host.js';

const BEFORE = readFileSync(join(import.meta.dirname, '../fixtures/rollout/dr-swap.yaml'), 'utf8');
const AFTER = BEFORE.replace('realServers: [web1, web2]', 'realServers: [web1, web3]');
/** The same two topologies with a TCP check on the service: the director gets a VIP path per real server. */
const checked = (text: string) => text.replace('    method: dr\n', '    method: dr\n    check: { kind: tcp }\n');
const VIP = '192.168.20.100';
const ADDRESSES: Record<string, string> = {
  director: '192.168.20.10',
  web1: '192.168.20.21',
  web2: '192.168.20.22',
  web3: '192.168.20.23',
  client: '192.168.20.50',
};

/** A real server that would answer a packet the director sends it for the VIP. */
const isReady = (rs: FakeHost) => rs.addresses.has(`lo ${VIP}/32`) && rs.sysctls.get('net.ipv4.conf.all.arp_ignore') === '1';

/**
 * The five hosts as fakes, with their eth0 address; `broken` collects every moment the director sent new connections
 * to a host not ready; `probes` every readiness probe the director ran (its source port), which passes when the real
 * server its VIP path leads to is ready.
 */
function fleet(): { fakes: Map<string, FakeHost>; broken: string[]; probes: number[] } {
  const fakes = new Map(
    Object.entries(ADDRESSES).map(([name, address]) => {
      const fake = new FakeHost(['eth0']);
      fake.addresses.set(`eth0 ${address}/24`, { device: 'eth0', cidr: `${address}/24` });
      return [name, fake];
    }),
  );
  const byAddress = new Map(Object.entries(ADDRESSES).map(([name, address]) => [address, fakes.get(name)!]));
  const broken: string[] = [];
  const probes: number[] = [];
  const director = fakes.get('director')!;
  const paths = desiredStates(loadTopology('dr-swap.yaml', checked(AFTER.replace('[web1, web3]', '[web1, web2, web3]'))).topology!)
    .get('director')!
    .readiness!.map((p) => [p.sourcePort, p.destination.split(' ')[2]!.split(':')[0]!] as const);
  for (const [name, fake] of fakes) {
    const run = fake.run.bind(fake);
    fake.run = async (argv, options) => {
      if (fake === director && argv[0] === 'perl') {
        const port = Number(argv[4]);
        probes.push(port);
        const to = paths.find(([p]) => p === port)?.[1] ?? '';
        return isReady(byAddress.get(to)!)
          ? { exitCode: 0, stdout: '', stderr: '' }
          : { exitCode: 1, stdout: '', stderr: 'Connection timed out' };
      }
      const result = await run(argv, options);
      // A real server with the VIP on lo and arp_ignore relaxed answers ARP for it: clients' traffic goes there.
      for (const [other, rs] of fakes) {
        if (rs.addresses.has(`lo ${VIP}/32`) && rs.sysctls.get('net.ipv4.conf.all.arp_ignore') !== '1')
          broken.push(`after \`${argv.join(' ')}\` on ${name}: ${other} holds the VIP on lo and answers ARP for it`);
      }
      // Clients' connections go to the VIP's destinations of weight above 0 (a VIP path's service has only probes).
      for (const d of director.ipvs.get(`tcp ${VIP}:80`)?.destinations.filter((d) => d.weight > 0) ?? []) {
        if (!isReady(byAddress.get(d.address)!))
          broken.push(`after \`${argv.join(' ')}\` on ${name}: the director sends to ${d.address}, which is not ready`);
      }
      return result;
    };
  }
  return { fakes, broken, probes };
}

/** The hosts `names` of topology `text`, on their fakes, in that order. */
function hostsOf(text: string, fakes: Map<string, FakeHost>, names = Object.keys(ADDRESSES)): RolloutHost[] {
  const topology = loadTopology('dr-swap.yaml', text).topology!;
  const desired = desiredStates(topology);
  const roles = rolesOf(topology);
  return names.map((name) => ({
    name,
    host: fakes.get(name)!,
    desired: desired.get(name)!,
    identity: identityOf(topology, name),
    roles: roles.get(name)!,
  }));
}

/** Rollout options; readiness is proved on a clock of its own, which a pause moves on at once. */
const options = (events: RolloutEvent[] = [], readyTimeoutSec = 60) => {
  let now = 0;
  return {
    parallel: 10,
    drainTimeoutSec: 300,
    readyTimeoutSec,
    clock: { now: () => now, sleep: async (ms: number) => void (now += ms) },
    requireRoot: true,
    onEvent: (e: RolloutEvent) => void events.push(e),
  };
};

/** The weight of the VIP's destination `address` on `director` (undefined: not one). */
const weightOn = (director: FakeHost, address: string | undefined) =>
  director.ipvs.get(`tcp ${VIP}:80`)?.destinations.find((d) => d.address === address)?.weight;

/** The fleet converged on the topology before the change (`before`), with two connections open to web2. */
async function converged(before = BEFORE): Promise<ReturnType<typeof fleet>> {
  const f = fleet();
  expect((await rollout(hostsOf(before, f.fakes), options())).ok).toBe(true);
  const director = f.fakes.get('director')!;
  director.activeConns.set(`${ADDRESSES.web2}:80`, 2);
  // The open connections end once web2 has weight 0 and the director has looked once (the drain must wait for them).
  const run = director.run.bind(director);
  director.run = async (argv, o) => {
    const weight = weightOn(director, ADDRESSES.web2);
    const r = await run(argv, o);
    if (weight === 0 && argv[0] === 'ipvsadm' && argv[1] === '-Ln') director.activeConns.delete(`${ADDRESSES.web2}:80`);
    return r;
  };
  return f;
}

describe('a rollout that adds one DR real server and removes another', () => {
  it('never has the director send to a real server that is not ready, and its events show the order', async () => {
    const { fakes, broken } = await converged();
    const events: RolloutEvent[] = [];
    const report = await rollout(hostsOf(AFTER, fakes), options(events));
    expect(report.ok).toBe(true);
    expect(broken).toEqual([]);

    const lines = events.map(
      (e) => JSON.parse(eventJson(e)) as { host: string; step: string; state: string; applied?: { action: string; kind: string }[] },
    );
    const at = (host: string, step: string, state: string) =>
      lines.findIndex((e) => e.host === host && e.step === step && e.state === state);
    const applied = (host: string, step: string) => lines[at(host, step, 'done')]?.applied ?? [];
    expect(applied('web3', 'prepare')).toContainEqual({ action: 'create', kind: 'address', key: `lo ${VIP}/32` });
    expect(applied('director', 'directors').filter((c) => c.kind === 'ipvs-destination')).toEqual([
      { action: 'update', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${ADDRESSES.web2}:80`, drain: true, weight: 0 },
      { action: 'create', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${ADDRESSES.web3}:80`, weight: 1 },
      { action: 'delete', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${ADDRESSES.web2}:80` },
    ]);
    // web2 loses the VIP first, then gets its ARP settings back.
    const web2 = applied('web2', 'finish').map((c) => `${c.action} ${c.kind}`);
    expect(web2.indexOf('delete address')).toBeGreaterThanOrEqual(0);
    expect(web2.indexOf('delete address')).toBeLessThan(web2.indexOf('update sysctl'));
    expect(at('web3', 'prepare', 'done')).toBeLessThan(at('director', 'directors', 'start'));
    expect(at('director', 'directors', 'done')).toBeLessThan(at('web2', 'finish', 'start'));
  });

  it('director first, then the real servers: the director sends to web3 before it has the VIP', async () => {
    const { fakes, broken } = await converged();
    expect((await rollout(hostsOf(AFTER, fakes, ['director']), options())).ok).toBe(true);
    expect((await rollout(hostsOf(AFTER, fakes, ['web1', 'web2', 'web3', 'client']), options())).ok).toBe(true);
    expect(broken[0]).toMatch(new RegExp(`on director: the director sends to ${ADDRESSES.web3}, which is not ready$`));
  });

  it('real servers first, then the director: web2 loses the VIP while the director still sends to it', async () => {
    const { fakes, broken } = await converged();
    expect((await rollout(hostsOf(AFTER, fakes, ['web1', 'web2', 'web3', 'client']), options())).ok).toBe(true);
    expect((await rollout(hostsOf(AFTER, fakes, ['director']), options())).ok).toBe(true);
    expect(broken[0]).toMatch(new RegExp(`on web2: the director sends to ${ADDRESSES.web2}, which is not ready$`));
  });
});

describe('a rollout that adds a DR real server with a TCP check', () => {
  const web3 = `tcp ${VIP}:80 ${ADDRESSES.web3}:80`;

  it("proves web3 through its VIP path at weight 0 before giving it weight, and takes web2's traffic only then", async () => {
    const { fakes, broken, probes } = await converged(checked(BEFORE));
    probes.length = 0;
    const events: RolloutEvent[] = [];
    expect((await rollout(hostsOf(checked(AFTER), fakes), options(events))).ok).toBe(true);
    expect(broken).toEqual([]);
    const lines = events.map(
      (e) =>
        JSON.parse(eventJson(e)) as {
          host: string;
          step: string;
          state: string;
          applied?: { action: string; key: string; weight?: number; drain?: true }[];
          readiness?: { destination: string; ready: boolean; attempts: number }[];
        },
    );
    const at = (host: string, state: string) => lines.findIndex((e) => e.host === host && e.state === state);
    const ready = lines[at('director', 'ready')]!;
    expect(at('web3', 'done')).toBeLessThan(at('director', 'start'));
    expect(at('director', 'ready')).toBeGreaterThan(at('director', 'start'));
    expect(ready.readiness).toEqual([expect.objectContaining({ destination: web3, ready: true, attempts: 2 })]);
    expect(ready.applied).toContainEqual({ action: 'create', kind: 'ipvs-destination', key: web3, weight: 0 });
    expect(ready.applied?.filter((c) => c.key.endsWith(`${ADDRESSES.web2}:80`))).toEqual([]);
    const done = lines[at('director', 'done')]!.applied!.filter((c) => c.key.startsWith(`tcp ${VIP}:80 `));
    expect(done).toEqual([
      { action: 'update', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${ADDRESSES.web2}:80`, drain: true, weight: 0 },
      { action: 'update', kind: 'ipvs-destination', key: web3, weight: 1 },
      { action: 'delete', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${ADDRESSES.web2}:80` },
    ]);
    // The two probes (rise 2) went through web3's own path: the source port its nft rule marks.
    const path = desiredStates(loadTopology('dr-swap.yaml', checked(AFTER)).topology!).get('director')!.readiness!;
    expect(probes).toEqual(Array(2).fill(path.find((p) => p.destination === web3)!.sourcePort));
  });

  it('director first: web3 is not proved, stays at weight 0, web2 keeps its traffic, and the rollout stops; once web3 is ready a rerun finishes', async () => {
    const { fakes, broken } = await converged(checked(BEFORE));
    const director = fakes.get('director')!;
    const report = await rollout(hostsOf(checked(AFTER), fakes, ['director']), options([], 5));
    expect(report.ok).toBe(false);
    expect(report.hosts[0]).toMatchObject({ host: 'director', state: 'failed', step: 'directors' });
    const failed = report.hosts[0]!;
    expect(failed.state === 'failed' && failed.reason).toMatch(
      new RegExp(
        `^not ready through the VIP path: ${web3} \\(11 connect\\(s\\) in 5000 ms; last: Connection timed out\\); the director holds it at weight 0`,
      ),
    );
    expect([weightOn(director, ADDRESSES.web3), weightOn(director, ADDRESSES.web2)]).toEqual([0, 1]);
    expect(broken).toEqual([]);

    expect((await rollout(hostsOf(checked(AFTER), fakes, ['web1', 'web2', 'web3', 'client']), options())).ok).toBe(true);
    expect((await rollout(hostsOf(checked(AFTER), fakes, ['director']), options())).ok).toBe(true);
    expect([weightOn(director, ADDRESSES.web3), weightOn(director, ADDRESSES.web2)]).toEqual([1, undefined]);
  });
});
