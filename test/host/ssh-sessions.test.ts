// How many ssh sessions a live plan of one host costs: each is a process, a channel and a remote shell, paid per host
// by every fleet plan; one, unless the host is a director (its IPVS tables are read in a second one). The "ssh" here runs the remote command line with this machine's sh and counts the sessions.
// Reads folded into one round trip still fail with the error that names what failed.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentAmendment } from '../../src/agent/overrides.js';
import { desiredStates } from '../../src/desired/desired.js';
import { identityOf } from '../../src/desired/identity.js';
import { localRunner } from '../../src/host/adapters/exec.js';
import { sshHost, Unreachable } from '../../src/host/adapters/ssh.js';
import { applyHost, inspectHost } from '../../src/host/apply.js';
import { LEDGER_PATH, LedgerUnreadable } from '../../src/host/ledger.js';
import type { CommandResult, Runner } from '../../src/host/port.js';
import { loadTopology } from '../../src/topology/load.js';
import { FakeHost } from '../support/fake-host.js';

/** An ssh that runs what it carries here (sh -c), or answers every session with `answer`; counts the sessions. */
function loopback(answer?: CommandResult): { runner: Runner; sessions: () => number } {
  let n = 0;
  const runner: Runner = {
    run: async (argv, options) => {
      n += 1;
      if (answer) return answer;
      return localRunner.run(['sh', '-c', argv[argv.indexOf('--') + 1]!], options);
    },
  };
  return { runner, sessions: () => n };
}

const topology = loadTopology(
  't.yaml',
  `apiVersion: lbctl/v1
networks: { lan: 10.77.0.0/16 }
hosts:
  h1: { roles: [client], interfaces: { eth0: { network: lan, address: 10.77.0.1/16 } }, gateway: 10.77.255.254 }
`,
).topology!;
const desired = desiredStates(topology).get('h1')!;
/** This machine, recognised by its name. */
const identity = { name: hostname(), addresses: [] };

describe('a live plan over SSH', () => {
  it('takes one session for a host without IPVS: the facts, the ledger, the agent state and the probe together', async () => {
    const { runner, sessions } = loopback();
    const host = sshHost('h1', { host: 'h1' }, runner);
    const plan = await inspectHost(host, desired, identity, agentAmendment(topology, 'h1'));
    expect(plan.host).toBe('h1');
    expect(sessions()).toBe(1);
  });

  it("asks again for what the first round trip could not know: a director's IPVS tables", async () => {
    const dr = loadTopology('dr.yaml', readFileSync(join(import.meta.dirname, '../../topologies/dr-web.yaml'), 'utf8')).topology!;
    const director = desiredStates(dr).get('director')!;
    const fake = new FakeHost();
    fake.addresses.set('eth0 192.168.10.10/24', { device: 'eth0', cidr: '192.168.10.10/24' });
    const options = { requireRoot: true, reload: true, drainTimeoutSec: 300, what: 'test' };
    expect((await applyHost(fake, director, options)).kind).toBe('converged');
    let gathers = 0;
    const gather = fake.gather.bind(fake);
    fake.gather = (batch) => ((gathers += 1), gather(batch));
    const plan = await inspectHost(fake, director, identityOf(dr, 'director'));
    expect(plan.changes).toEqual([]);
    expect(gathers).toBe(2);
  });

  it('asks whether ssh works only once a session failed, and then says the host cannot be reached', async () => {
    const { runner, sessions } = loopback({ exitCode: 255, stdout: '', stderr: 'ssh: connect to host h1 port 22: No route to host' });
    const host = sshHost('h1', { host: 'h1' }, runner);
    const refused = inspectHost(host, desired, identity, agentAmendment(topology, 'h1'));
    await expect(refused).rejects.toThrow(Unreachable);
    await expect(refused).rejects.toThrow(
      /^cannot reach host h1 over SSH \(h1\): ssh: connect to host h1 port 22: No route to host; nothing/,
    );
    expect(sessions()).toBe(3);
  });
});

describe('a live plan of a host without ip_vs', () => {
  it('runs no ipvsadm, which would load the module (the fake, like ipvsadm, loads it when asked)', async () => {
    const fake = new FakeHost();
    await inspectHost(fake, desired, { ...identity, name: fake.facts_.hostname });
    expect(fake.log.filter((argv) => argv.startsWith('ipvsadm'))).toEqual([]);
    expect(fake.modules.has('ip_vs')).toBe(false);
  });
});

describe("a live plan's first round trip, when a read in it fails", () => {
  const named = (fake: FakeHost) => ({ ...identity, name: fake.facts_.hostname });

  it('says the ledger is damaged, not the batch', async () => {
    const fake = new FakeHost();
    fake.files.set(LEDGER_PATH, { content: '{"version": 1', mode: 0o600 });
    await expect(inspectHost(fake, desired, named(fake))).rejects.toThrow(LedgerUnreadable);
  });

  it('asks again one by one, and says which read failed', async () => {
    const fake = new FakeHost();
    fake.read = (path) => Promise.reject(new Error(`${path}: Permission denied`));
    const refused = inspectHost(fake, desired, named(fake));
    await expect(refused).rejects.toThrow(LedgerUnreadable);
    await expect(refused).rejects.toThrow(`the ledger ${LEDGER_PATH} on fake host cannot be read: ${LEDGER_PATH}: Permission denied`);
  });
});
