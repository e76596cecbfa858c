// The order of a rollout, on fake hosts: one DR real server added and another removed (dr-swap.yaml, web1+web2 to
// web1+web3). After every command any host runs, each destination on the director must be a real server that holds
// the VIP on lo with arp_ignore set: a packet the director sends there is answered; and no host may hold the VIP on
// lo with arp_ignore relaxed: it would answer the clients' ARP for the VIP and draw their traffic. The ordered rollout keeps that
// true throughout (web3 prepared before the director adds it; web2 drained and deleted before it loses the VIP), and
// its events say so; the two naive orders, director first or real servers first, break it, so the check can tell.
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
const VIP = '192.168.20.100';
const ADDRESSES: Record<string, string> = {
  director: '192.168.20.10',
  web1: '192.168.20.21',
  web2: '192.168.20.22',
  web3: '192.168.20.23',
  client: '192.168.20.50',
};

/** The five hosts as fakes, with their eth0 address; `broken` collects every moment the director sent to a host not ready. */
function fleet(): { fakes: Map<string, FakeHost>; broken: string[] } {
  const fakes = new Map(
    Object.entries(ADDRESSES).map(([name, address]) => {
      const fake = new FakeHost(['eth0']);
      fake.addresses.set(`eth0 ${address}/24`, { device: 'eth0', cidr: `${address}/24` });
      return [name, fake];
    }),
  );
  const byAddress = new Map(Object.entries(ADDRESSES).map(([name, address]) => [address, fakes.get(name)!]));
  const broken: string[] = [];
  const director = fakes.get('director')!;
  for (const [name, fake] of fakes) {
    const run = fake.run.bind(fake);
    fake.run = async (argv, options) => {
      const result = await run(argv, options);
      // A real server with the VIP on lo and arp_ignore relaxed answers ARP for it: clients' traffic goes there.
      for (const [other, rs] of fakes) {
        if (rs.addresses.has(`lo ${VIP}/32`) && rs.sysctls.get('net.ipv4.conf.all.arp_ignore') !== '1')
          broken.push(`after \`${argv.join(' ')}\` on ${name}: ${other} holds the VIP on lo and answers ARP for it`);
      }
      for (const service of director.ipvs.values()) {
        for (const d of service.destinations) {
          const rs = byAddress.get(d.address)!;
          const ready = rs.addresses.has(`lo ${VIP}/32`) && rs.sysctls.get('net.ipv4.conf.all.arp_ignore') === '1';
          if (!ready) broken.push(`after \`${argv.join(' ')}\` on ${name}: the director sends to ${d.address}, which is not ready`);
        }
      }
      return result;
    };
  }
  return { fakes, broken };
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

const options = (events: RolloutEvent[] = []) => ({
  parallel: 10,
  drainTimeoutSec: 300,
  requireRoot: true,
  onEvent: (e: RolloutEvent) => void events.push(e),
});

/** The fleet converged on the topology before the change, with two connections open to web2. */
async function converged(): Promise<ReturnType<typeof fleet>> {
  const f = fleet();
  expect((await rollout(hostsOf(BEFORE, f.fakes), options())).ok).toBe(true);
  const director = f.fakes.get('director')!;
  director.activeConns.set(`${ADDRESSES.web2}:80`, 2);
  // The open connections end once web2 has weight 0 and the director has looked once (the drain must wait for them).
  const run = director.run.bind(director);
  director.run = async (argv, o) => {
    const weight = [...director.ipvs.values()][0]?.destinations.find((d) => d.address === ADDRESSES.web2)?.weight;
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
      { action: 'update', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${ADDRESSES.web2}:80`, drain: true },
      { action: 'create', kind: 'ipvs-destination', key: `tcp ${VIP}:80 ${ADDRESSES.web3}:80` },
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
