// The local runner against real processes: what a command prints, reads and exits with comes back as it was, and a
// command that cannot start or is killed is an exit status with a reason, never a thrown error.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRunner } from '../../src/host/adapters/exec.js';

describe('localRunner', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'lbctl-runner-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    [
      'stdout, stderr and the exit status, final newlines kept',
      ['sh', '-c', 'printf "out\\n\\n"; printf "err\\n" >&2; exit 3'],
      undefined,
      { exitCode: 3, stdout: 'out\n\n', stderr: 'err\n' },
    ],
    ['stdin is the given text, then closed', ['sh', '-c', 'cat; echo end'], 'a\nb\n', { exitCode: 0, stdout: 'a\nb\nend\n', stderr: '' }],
    ['no stdin given: an empty one, so a reader ends', ['cat'], undefined, { exitCode: 0, stdout: '', stderr: '' }],
    ['a command that never reads its stdin', ['true'], 'x\n'.repeat(100_000), { exitCode: 0, stdout: '', stderr: '' }],
    ['the C locale', ['sh', '-c', 'echo "$LC_ALL"'], undefined, { exitCode: 0, stdout: 'C\n', stderr: '' }],
    [
      'a missing binary is 127, as a shell says',
      ['lbctl-no-such-command'],
      undefined,
      { exitCode: 127, stdout: '', stderr: 'lbctl-no-such-command: command not found' },
    ],
  ])('%s', async (_, argv, stdin, expected) => {
    expect(await localRunner.run(argv, stdin === undefined ? undefined : { stdin })).toEqual(expected);
  });

  it('keeps a multi-byte character whole across output chunks', async () => {
    // One byte, then 70,000 two-byte characters: more than one pipe read, and a chunk boundary inside a character.
    const r = await localRunner.run(['sh', '-c', "{ printf a; yes é | head -n 70000; } | tr -d '\\n'"]);
    expect(r.stdout).toBe(`a${'é'.repeat(70_000)}`);
  });

  it('a file that cannot be run is 126 with why', async () => {
    const file = join(dir, 'not-executable');
    await writeFile(file, 'echo hi\n');
    await chmod(file, 0o644);
    const r = await localRunner.run([file]);
    expect(r).toMatchObject({ exitCode: 126, stdout: '' });
    expect(r.stderr).toContain('EACCES');
  });

  it('a command killed by a signal is 126, naming the signal', async () => {
    const r = await localRunner.run(['sh', '-c', 'echo partial; echo why >&2; kill -KILL $$']);
    expect(r).toEqual({
      exitCode: 126,
      stdout: '',
      stderr: 'sh -c echo partial; echo why >&2; kill -KILL $$ was killed by SIGKILL: why\n',
    });
  });
});
