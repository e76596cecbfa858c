// The agent's reload trigger: a topology file replaced by a rename (sed -i, editors, Ansible) is still watched after
// the first replacement; a burst of events is one reload; other files of the folder are not its business.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchFileChanges } from '../../src/agent/file-watch.js';

describe('watchFileChanges', () => {
  let dir: string;
  let stop = () => {};
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lbctl-file-watch-'));
  });
  afterEach(async () => {
    stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Resolves once `calls()` reaches `n` (polling; the test's own timeout ends a wait that never does). */
  const reaches = async (calls: () => number, n: number) => {
    while (calls() < n) await new Promise((r) => setTimeout(r, 10));
  };

  it('calls once per replacement by rename, every time, and once per write in place', async () => {
    const file = join(dir, 'topology.yaml');
    await writeFile(file, 'a\n');
    let calls = 0;
    stop = watchFileChanges(file, () => calls++, 20);
    for (const [i, text] of ['b\n', 'c\n', 'd\n'].entries()) {
      await writeFile(join(dir, `.topology.yaml.${i}`), text);
      await rename(join(dir, `.topology.yaml.${i}`), file);
      await reaches(() => calls, i + 1);
    }
    await writeFile(file, 'e\n');
    await reaches(() => calls, 4);
    expect(calls).toBe(4);
  });

  it('ignores the other files of the folder', async () => {
    const file = join(dir, 'topology.yaml');
    await writeFile(file, 'a\n');
    let calls = 0;
    stop = watchFileChanges(file, () => calls++, 20);
    await writeFile(join(dir, 'other.yaml'), 'x\n');
    await writeFile(file, 'b\n');
    await reaches(() => calls, 1);
    await writeFile(join(dir, 'other.yaml'), 'y\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1);
  });
});
