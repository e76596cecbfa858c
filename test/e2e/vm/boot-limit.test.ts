// The VM runner's boot limit: a guest that has not started its job in time is killed and booted once more, and a
// second such boot fails the run with what happened, leaving no qemu behind. A limit too short for any boot plays
// the hung guest. On by default, off with LBCTL_VM_TESTS=0 (needs what modes.test.ts needs; ~15 s on 2 cores).
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runInVm } from '../../../src/lab/vm/runner.js';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';

/** PIDs of the qemu processes running now. */
async function qemuPids(): Promise<string[]> {
  const r = await execa('pgrep', ['-x', 'qemu-system-x86'], { reject: false });
  return r.stdout.split('\n').filter(Boolean);
}

describe.skipIf(!ENABLED)('the VM runner boot limit', () => {
  it('boots a guest that did not start its job once more, then fails saying so, with no qemu left', async () => {
    const before = await qemuPids();
    const console: string[] = [];
    const started = Date.now();
    const run = runInVm({ command: ['true'], timeoutMs: 120_000, bootLimitMs: 1, onOutput: (_s, chunk) => console.push(chunk) });
    await expect(run).rejects.toThrow('lbctl VM runner: the guest did not start the job within 0.001 s, twice');
    expect(console.join('').match(/the guest did not start the job within 0\.001 s: qemu killed/g)).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await qemuPids()).filter((p) => !before.includes(p))).toEqual([]);
  }, 150_000);

  it('runs a job whose guest boots in time with one boot', async () => {
    const run = await runInVm({ command: ['true'], timeoutMs: 120_000 });
    expect({ exitCode: run.exitCode, boots: run.boots }).toEqual({ exitCode: 0, boots: 1 });
  }, 150_000);
});
