// This machine's files and lock, as the local adapter handles them: nothing planted in lbctl's way is followed,
// a failed write leaves no temporary file, and the lock is the kernel's.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { localLockSite, takeLock as takeSite } from '../../src/host/adapters/flock.js';
import { BACKUP_SUFFIX, localFiles } from '../../src/host/adapters/local-files.js';
import { LockHeld } from '../../src/host/port.js';

const takeLock = (path: string, what: string) => takeSite(localLockSite(path), what);
const tmp = mkdtempSync(join(tmpdir(), 'lbctl-local-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => {
  const root = join(tmp, `root${n++}`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  return root;
};
const file = (content: string) => ({ path: '/etc/x.conf', content, mode: 0o640 });

describe('local files below a root', () => {
  it('replaces a file atomically with its mode, keeping the old one as the backup', async () => {
    const root = freshRoot();
    writeFileSync(join(root, 'etc/x.conf'), 'old\n');
    await localFiles(root, null).write(file('new\n'));
    expect(readFileSync(join(root, 'etc/x.conf'), 'utf8')).toBe('new\n');
    expect(lstatSync(join(root, 'etc/x.conf')).mode & 0o7777).toBe(0o640);
    expect(readFileSync(join(root, `etc/x.conf${BACKUP_SUFFIX}`), 'utf8')).toBe('old\n');
    expect(readdirSync(join(root, 'etc')).sort()).toEqual(['x.conf', `x.conf${BACKUP_SUFFIX}`]);
  });

  it('never writes through a symlink planted at the backup path, nor replaces the file it points to', async () => {
    const root = freshRoot();
    const victim = join(tmp, `victim${n}`);
    writeFileSync(victim, 'precious\n');
    writeFileSync(join(root, 'etc/x.conf'), 'old\n');
    symlinkSync(victim, join(root, `etc/x.conf${BACKUP_SUFFIX}`));
    await localFiles(root, null).write(file('new\n'));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(root, `etc/x.conf${BACKUP_SUFFIX}`)).isSymbolicLink()).toBe(false);
  });

  it('replaces a symlink at the target itself, never the file it points to', async () => {
    const root = freshRoot();
    const victim = join(tmp, `victim${n}`);
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(root, 'etc/x.conf'));
    await localFiles(root, null).write(file('new\n'));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(root, 'etc/x.conf')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(root, 'etc/x.conf'), 'utf8')).toBe('new\n');
  });

  it.each([
    ['a directory', (p: string) => mkdirSync(p), 'is a directory, not a file'],
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), 'is a FIFO, not a file'],
  ])('refuses a target that is %s, and reads it as absent without hanging', async (_what, make, message) => {
    const root = freshRoot();
    make(join(root, 'etc/x.conf'));
    const files = localFiles(root, null);
    await expect(files.write(file('new\n'))).rejects.toThrow(message);
    await expect(files.remove('/etc/x.conf')).rejects.toThrow(message);
    expect(await files.read('/etc/x.conf')).toBeNull();
    expect(readdirSync(join(root, 'etc'))).toEqual(['x.conf']);
  });

  it('a write that fails leaves no temporary file and the old file as it was', async () => {
    const root = freshRoot();
    writeFileSync(join(root, 'etc/x.conf'), 'old\n');
    const failingIds = async () => {
      throw new Error('user frr does not exist');
    };
    await expect(localFiles(root, failingIds).write({ ...file('new\n'), owner: 'frr' })).rejects.toThrow('user frr does not exist');
    expect(readdirSync(join(root, 'etc'))).toEqual(['x.conf']);
    expect(readFileSync(join(root, 'etc/x.conf'), 'utf8')).toBe('old\n');
  });

  it("undoing lbctl's own change keeps no backup of it", async () => {
    const root = freshRoot();
    const files = localFiles(root, null);
    await files.write(file('mine\n'));
    await files.remove('/etc/x.conf', { backup: false });
    expect(readdirSync(join(root, 'etc'))).toEqual([]);
  });
});

describe('the apply lock', () => {
  it('is exclusive, names its holder, and is free again once released', async () => {
    const path = join(tmp, 'lock1', 'lbctl.lock');
    const release = await takeLock(path, 'apply a.yaml --host web1');
    const refusal = await takeLock(path, 'second').catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(LockHeld);
    expect((refusal as Error).message).toMatch(
      new RegExp(`^another lbctl \\(pid ${process.pid}, apply a\\.yaml --host web1, since \\S+\\) holds ${path}: wait for it to finish$`),
    );
    await release();
    await (
      await takeLock(path, 'third')
    )();
  });

  it('is released by the kernel when its holder dies, whatever its file says', async () => {
    const path = join(tmp, 'lock2', 'lbctl.lock');
    mkdirSync(join(tmp, 'lock2'));
    writeFileSync(path, 'garbage {');
    const holder = spawn('flock', ['--no-fork', path, 'sleep', '30'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    for (let i = 0; i < 100 && execFileSyncStatus(['flock', '--nonblock', path, 'true']) === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    const refusal = await takeLock(path, 'x').catch((err: unknown) => err);
    expect((refusal as Error).message).toBe(`another lbctl (holder unknown) holds ${path}: wait for it to finish`);
    holder.kill('SIGKILL');
    await exited;
    await (
      await takeLock(path, 'after')
    )();
  });

  it('refuses a lock path that is a directory', async () => {
    const path = join(tmp, 'lock3', 'lbctl.lock');
    mkdirSync(path, { recursive: true });
    await expect(takeLock(path, 'x')).rejects.toThrow(
      `${path} is not a lock file (a directory): no lbctl made it; remove it and run again`,
    );
    expect(existsSync(path)).toBe(true);
  });
});

/** The exit status of a command (0 when it succeeded). */
function execFileSyncStatus(argv: string[]): number {
  try {
    execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    return 0;
  } catch (err) {
    return (err as { status?: number }).status ?? 1;
  }
}
