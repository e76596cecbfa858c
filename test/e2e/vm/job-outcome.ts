// Shared by the VM e2e tests: how a guest job ended, with its stderr and console tail on failure.
import { expect } from 'vitest';
import type { VmResult } from '../../../src/lab/vm/runner.js';

/** Asserts the guest job exited 0 (no timeout, no panic), showing its stderr and the console's end otherwise. */
export function expectJobCompleted(run: VmResult): void {
  expect({ exitCode: run.exitCode, timedOut: run.timedOut, guestPanicked: run.guestPanicked },
    `stderr:\n${run.stderr}\nconsole:\n${run.serialLog.slice(-3000)}`)
    .toEqual({ exitCode: 0, timedOut: false, guestPanicked: false });
}
