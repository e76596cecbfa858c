// The shell-reached host's batches, run here with this machine's sh: a probe's commands and files in one round trip
// give exactly what they give one by one.
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localRunner } from '../../src/host/adapters/exec.js';
import { unframe } from '../../src/host/adapters/batch.js';
import { shellHost } from '../../src/host/adapters/shell-host.js';
import { runOneByOne, type Runner } from '../../src/host/port.js';

const tmp = mkdtempSync(join(tmpdir(), 'lbctl-shell-host-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** This machine as a shell-reached host, counting the processes it is asked to start. */
function counted(): { host: ReturnType<typeof shellHost>; calls: () => number } {
  let n = 0;
  const runner: Runner = { run: (argv, options) => ((n += 1), localRunner.run(argv, options)) };
  return { host: shellHost({ label: 'here', runner, command: (argv) => [...argv] }), calls: () => n };
}

describe('a shell-reached host', () => {
  const commands = [
    ['printf', 'one\\ntwo\\n'],
    ['sh', '-c', 'echo out; echo err >&2; exit 3'],
    ['cat', '/nonexistent/lbctl'],
    ['printf', 'it\'s "quoted" $(not run) `nor this`'],
    ['true'],
  ];

  it('runs several commands in one round trip, with what each printed and its exit status', async () => {
    const { host, calls } = counted();
    const { results: many } = await host.gather({ commands });
    expect(calls()).toBe(1);
    expect(many).toEqual(await runOneByOne(localRunner, commands));
    expect(many[1]).toEqual({ stdout: 'out\n', exitCode: 3, stderr: 'err\n' });
  });

  it('falls back to one by one when an output holds the framing byte', async () => {
    const { host, calls } = counted();
    const withNul = [['printf', 'a\\0b'], ['true']];
    expect((await host.gather({ commands: withNul })).results).toEqual(await runOneByOne(localRunner, withNul));
    expect(calls()).toBe(3);
    expect(unframe('x\u00000\u0000\u0000', 2)).toBeNull();
  });

  it('reads several files in one round trip: content and mode, null for one that is absent or not a file', async () => {
    const file = join(tmp, 'a.conf');
    writeFileSync(file, 'line 1\nline 2\n');
    chmodSync(file, 0o640);
    const { host, calls } = counted();
    expect((await host.gather({ files: [file, join(tmp, 'missing'), tmp] })).files).toEqual([
      { content: 'line 1\nline 2\n', mode: 0o640 },
      null,
      null,
    ]);
    expect(calls()).toBe(1);
  });

  it('gathers the facts, commands and files together in one round trip, each as asked alone', async () => {
    const file = join(tmp, 'b.conf');
    writeFileSync(file, 'b\n');
    const { host, calls } = counted();
    const all = await host.gather({ facts: true, commands: commands.slice(0, 2), files: [file, join(tmp, 'missing')] });
    expect(calls()).toBe(1);
    expect(all).toEqual({
      facts: await host.facts(),
      results: (await host.gather({ commands: commands.slice(0, 2) })).results,
      files: [{ content: 'b\n', mode: 0o644 }, null],
    });
    expect(all.facts?.uid).toBe(process.getuid?.());
  });
});
