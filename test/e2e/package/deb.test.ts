// `npm run deb` builds a .deb that dpkg installs into an empty root (its dependencies forced: the root has no
// Debian system), where the installed lbctl runs with this machine's node: --version and a dry-run plan, its
// agent unit names /usr/bin/lbctl, its bash completion loads and its manual page is there.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const tmp = mkdtempSync(join(tmpdir(), 'lbctl-deb-'));
const root = join(tmp, 'root');
// The system's node, as the package's nodejs dependency provides it.
const env = { PATH: '/usr/bin:/bin', npm_config_cache: join(tmp, 'cache') };
let deb = '';

beforeAll(async () => {
  const built = await execa('npm', ['run', '--silent', 'deb', '--', join(tmp, 'out')], {
    cwd: ROOT,
    env: { npm_config_cache: env.npm_config_cache },
  });
  deb = built.stdout.trim().split('\n').at(-1)!;
  for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run deb', () => {
  it('names its dependencies', async () => {
    expect(deb).toBe(join(tmp, 'out', `lbctl_${VERSION}_all.deb`));
    const control = (await execa('dpkg-deb', ['-f', deb])).stdout;
    expect(control).toContain('Depends: nodejs (>= 20), ipvsadm, iproute2\n');
    expect(control).toContain('Recommends: frr, nftables\n');
  });

  it('installs into a clean root, where lbctl runs with the system node', async () => {
    await execa('dpkg', ['--root', root, '--force-depends', '--force-not-root', '-i', deb]);
    const lbctl = join(root, 'usr/bin/lbctl');
    expect((await execa(lbctl, ['--version'], { env, cwd: tmp })).stdout).toBe(VERSION);
    const plan = await execa(lbctl, ['plan', join(ROOT, 'topologies/dr-web.yaml'), '--all', '--offline'], { env, cwd: tmp });
    expect(plan.stdout).toMatch(/^Host director: \d+ to create/m);

    const unit = readFileSync(join(root, 'usr/lib/systemd/system/lbctl-agent@.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/bin/lbctl agent /etc/lbctl/topology.yaml --host %i ');
    const man = gunzipSync(readFileSync(join(root, 'usr/share/man/man1/lbctl.1.gz'))).toString();
    expect(man).toContain(`"lbctl ${VERSION}"`);
    for (const file of ['usr/share/zsh/vendor-completions/_lbctl', 'usr/share/fish/vendor_completions.d/lbctl.fish'])
      expect(readFileSync(join(root, file), 'utf8')).toContain('lbctl');
    const completes = await execa('bash', [
      '-c',
      'source "$0"; COMP_WORDS=(lbctl la); COMP_CWORD=1; _lbctl; echo "${COMPREPLY[@]}"',
      join(root, 'usr/share/bash-completion/completions/lbctl'),
    ]);
    expect(completes.stdout).toBe('lab');
    expect((await execa('dpkg', ['--root', root, '-s', 'lbctl'])).stdout).toContain('Status: install ok installed');
  }, 60_000);
});
