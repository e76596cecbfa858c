// FRR's own parser (vtysh -C) reads every file the OSPF renderers write. Skipped, with a reason, only when vtysh is
// missing outside CI; under CI a missing vtysh fails.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFrrConfig, vtyshAvailable } from '../../../src/host/adapters/frr-check.js';
import { renderFrr } from '../../../src/drivers/frr/ospf-frr.js';
import { renderQuagga } from '../../../src/drivers/frr/ospf-quagga.js';
import { SEED_HOSTS } from './ospf-fixtures.js';

const installed = await vtyshAvailable();
const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const skip = !installed && !ci;
if (skip) console.warn('SKIPPED FRR parser checks: vtysh is not installed (apt-get install frr); under CI=true this fails');

/** Every config file of every seed host, in both flavours (the daemons file is a shell file, checked apart). */
const FILES = SEED_HOSTS.flatMap(([host, make]) => {
  const quagga = renderQuagga(make());
  const frr = renderFrr(make());
  return [
    [`${host}-zebra.conf`, quagga.zebra],
    [`${host}-ospfd.conf`, quagga.ospfd],
    [`${host}-frr.conf`, frr.frrConf],
  ] as const;
});

describe.skipIf(skip)('FRR parser accepts the rendered configs', () => {
  let dir = '';
  const write = async (name: string, content: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lbctl-render-test-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('vtysh is installed (required under CI)', () => {
    expect(installed).toBe(true);
  });

  it.each(FILES)('%s passes vtysh -C', async (name, content) => {
    const result = await checkFrrConfig(content);
    expect(result.output).toBe('');
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
  });

  it.each([
    ['an unknown command', (conf: string) => conf.replace(' maximum-paths 3\n', ' maximum-pathz 3\n')],
    ['an out-of-range timer', (conf: string) => conf.replace('spf 0 50 1000', 'spf 0 50 600001')],
    ['an IPv6 network statement', (conf: string) => conf.replace('network 6.6.6.6/32', 'network 2001:db8::/64')],
  ])('the check fails on %s, naming the line', async (_what, spoil) => {
    const good = renderFrr(SEED_HOSTS[0]![1]()).frrConf;
    const bad = spoil(good);
    expect(bad).not.toBe(good);
    const result = await checkFrrConfig(bad);
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/line \d+: % Unknown command/);
  });

  it('the check fails when vtysh cannot be run', async () => {
    const result = await checkFrrConfig('!\n', { vtysh: join(dir, 'no-such-vtysh') });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(127);
    expect(result.output).toMatch(/not found/);
  });

  it('the check leaves no private config folder behind', async () => {
    // A temporary directory of this test's own: other test files run FRR checks in the shared one at the same time.
    const own = await mkdtemp(join(tmpdir(), 'lbctl-frr-parser-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own;
    try {
      await checkFrrConfig(FILES[2]![1]);
      expect(await readdir(own)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(own, { recursive: true, force: true });
    }
  });

  it('the daemons file is what frrcommon.sh expects: sourced by bash, ospfd on, others off', async () => {
    const file = await write('daemons', renderFrr(SEED_HOSTS[0]![1]()).daemons);
    // frrcommon.sh sources the file with bash; print what it then sees. The script is a constant; the file is $1.
    const show = 'set -eu; . "$1"; printf "%s|" "$ospfd" "$bgpd" "$vtysh_enable" "$zebra_options" "$ospfd_options" "$watchfrr_options"';
    const result = await execa('bash', ['--noprofile', '--norc', '-c', show, 'bash', file], { env: {}, extendEnv: false });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('yes|no|yes|  -A 127.0.0.1 -s 90000000|  -A 127.0.0.1||');
  });
});
