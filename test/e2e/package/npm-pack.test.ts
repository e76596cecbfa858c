// The packed tarball is what users install: `npm pack` (which builds), then a global install into a temporary
// prefix and `npx` from the tarball, both offline (the two run-time libraries travel inside the tarball), each
// running `lbctl --version` and a dry-run plan from outside the repository.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TOPOLOGY = join(ROOT, 'topologies/dr-web.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'lbctl-pack-'));
// A private npm cache: nothing is read from or left in the user's, and an install that needed the network would fail.
const env = { npm_config_cache: join(tmp, 'cache'), npm_config_update_notifier: 'false' };
let tarball = '';

beforeAll(async () => {
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, env });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  tarball = join(tmp, info!.filename);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm pack', () => {
  it('holds the launcher, the bundle, the runtime libraries, README and LICENSE, and nothing else', async () => {
    const { stdout } = await execa('tar', ['tzf', tarball]);
    const files = stdout.split('\n').filter((f) => !f.startsWith('package/node_modules/'));
    expect(files.filter((f) => !/^package\/dist\/bundle\/[\w-]+\.js$/.test(f)).sort()).toEqual(
      ['package/LICENSE', 'package/README.md', 'package/bin/lbctl', 'package/package.json'].sort(),
    );
    expect(files).toContain('package/dist/bundle/main.js');
    expect(stdout).toContain('package/node_modules/yaml/package.json');
  });

  it('installs globally without the network and runs --version and a plan', async () => {
    const prefix = join(tmp, 'prefix');
    await execa('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { env });
    const lbctl = join(prefix, 'bin/lbctl');
    expect((await execa(lbctl, ['--version'], { cwd: tmp })).stdout).toBe(VERSION);
    const plan = await execa(lbctl, ['plan', TOPOLOGY, '--all', '--offline'], { cwd: tmp });
    expect(plan.stdout).toMatch(/^Host director: \d+ to create/m);
    // A live plan runs commands (execa, bundled): it reads this machine, finds it is not web1, and says so.
    const live = await execa(lbctl, ['plan', TOPOLOGY, '--host', 'web1'], { cwd: tmp, reject: false });
    expect(live.stderr).toContain('this machine is not host web1 of the topology');
    expect(live.exitCode).toBe(68);
  }, 60_000);

  it('runs with npx from the tarball', async () => {
    const npx = (...args: string[]) =>
      execa('npx', ['--offline', '--yes', '--package', tarball, '--', 'lbctl', ...args], { cwd: tmp, env });
    expect((await npx('--version')).stdout).toBe(VERSION);
    expect((await npx('plan', TOPOLOGY, '--host', 'web1', '--offline', '--format', 'shell')).stdout).toContain('arp_ignore=1');
  }, 60_000);
});
