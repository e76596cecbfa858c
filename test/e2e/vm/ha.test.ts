// Proof of director HA on a real IPVS kernel (the qemu VM): one guest job (ha.sh) brings up the ECMP example with mh,
// again with wrr, and the VRRP example with and without IPVS connection sync; in each, 200 long-lived streams and a
// loop of new connections go through the VIP while one director (the VRRP master) dies. Prints the share of streams
// that survive and how long new connections failed, per lab. On with LBCTL_VM_HA=1 (not in the default run yet).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInVm, type VmResult } from '../../../src/lab/vm/runner.js';
import { expectJobCompleted } from './job-outcome.js';

// Opt-in until it has run to the end within its budget: its 200 streams per lab are heavy for the emulated guest,
// and the default suite must fit a CI run.
const ENABLED = process.env.LBCTL_VM_TESTS !== '0' && process.env.LBCTL_VM_HA === '1';
if (!ENABLED) console.log('VM e2e tests (ha) skipped: set LBCTL_VM_HA=1 to run the director HA proof in the IPVS VM (about 30 min)');

const JOB = join(import.meta.dirname, 'ha.sh');
/** The whole job's wall-clock budget, boot included: four labs up (240 s), measured (180 s) and down (60 s) in the TCG VM. */
const BUDGET_S = 2000;

/** What ha-client.mjs measured in one lab. */
interface Measured {
  established: number;
  survived: number;
  share: number;
  newAttempts: number;
  newFailed: number;
  recoveryMs: number | null;
}

const LABS = {
  emh: 'ECMP, mh: kill director d1',
  ewrr: 'ECMP, wrr: kill director d1',
  vsync: 'VRRP with sync daemons: kill the master',
  vnosync: 'VRRP without sync daemons: kill the master',
} as const;
type Lab = keyof typeof LABS;

describe.skipIf(!ENABLED)('director HA on the IPVS kernel', () => {
  let results: string;
  let run: VmResult;
  const read = (lab: Lab, file: string) => readFile(join(results, lab, file), 'utf8');
  const measured = async (lab: Lab): Promise<Measured> => JSON.parse(await read(lab, 'client.json')) as Measured;

  beforeAll(
    async () => {
      results = await mkdtemp(join(tmpdir(), 'lbctl-vm-ha-'));
      run = await runInVm({
        command: ['bash', JOB, results],
        resultsDir: results,
        timeoutMs: BUDGET_S * 1000,
        memoryMb: 2048,
        env: { LBCTL_JOB_BUDGET_S: String(BUDGET_S) },
      });
      const steps = await readFile(join(results, 'steps.txt'), 'utf8').catch(() => '(none)');
      const figures = await Promise.all(
        (Object.keys(LABS) as Lab[]).map(async (lab) => `  ${LABS[lab]}: ${await read(lab, 'client.json').catch(() => 'not measured\n')}`),
      );
      console.log(`VM ha job: ${run.durationMs} ms; steps (exit status, ms):\n${steps}figures:\n${figures.join('')}`);
    },
    BUDGET_S * 1000 + 60_000,
  );

  afterAll(async () => {
    if (results) await rm(results, { recursive: true, force: true });
  });

  it('the guest job completed within its budget', () => {
    expectJobCompleted(run);
  });

  it.each(Object.keys(LABS) as Lab[])('%s: lbctl lab up builds and applies every host', async (lab) => {
    expect({ rc: (await read(lab, 'up.rc')).trim(), output: await read(lab, 'up.txt') }).toMatchObject({
      rc: '0',
      output: expect.stringContaining('web3: web server on 0.0.0.0:80'),
    });
  });

  it('ECMP: the router has a route to the VIP through each director before the kill', async () => {
    expect(await read('emh', 'before-router-routes.txt')).toMatch(
      /10\.40\.0\.100 [^\n]*proto ospf[^\n]*\n(\s+nexthop via 10\.30\.0\.1[12] [^\n]*\n){2}/,
    );
  });

  it('ECMP with mh: at least 99 % of 200 streams survive a director dying, and new connections work within 1 s (BFD)', async () => {
    const m = await measured('emh');
    expect(m.established).toBe(200);
    expect(m.share).toBeGreaterThanOrEqual(0.99);
    expect(m.recoveryMs).not.toBeNull();
    expect(m.recoveryMs!).toBeLessThanOrEqual(1000);
  });

  it('ECMP with wrr: the streams moved to the other director land on other real servers and break', async () => {
    const [mh, wrr] = [await measured('emh'), await measured('ewrr')];
    expect(wrr.established).toBe(200);
    expect(wrr.share).toBeLessThan(mh.share);
  });

  it('VRRP: keepalived holds the VIP on one director only, and the backup takes it over', async () => {
    const master = (await read('vsync', 'master.txt')).trim();
    const backup = master === 'd1' ? 'd2' : 'd1';
    expect(await read('vsync', `before-${master}.txt`)).toMatch(/10\.50\.0\.100\/32/);
    expect(await read('vsync', `before-${backup}.txt`)).not.toMatch(/10\.50\.0\.100\/32/);
    expect(await read('vsync', `after-${backup}.txt`)).toMatch(/10\.50\.0\.100\/32/);
  });

  it('VRRP with sync: at least 99 % of the streams survive the master dying, and new connections work within 1 s', async () => {
    const m = await measured('vsync');
    expect(m.established).toBe(200);
    expect(m.share).toBeGreaterThanOrEqual(0.99);
    expect(m.recoveryMs).not.toBeNull();
    expect(m.recoveryMs!).toBeLessThanOrEqual(1000);
  });

  it('VRRP without sync: fewer streams survive than with it', async () => {
    expect((await measured('vnosync')).share).toBeLessThan((await measured('vsync')).share);
  });
});
