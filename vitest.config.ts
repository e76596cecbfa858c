// Two projects: the unit tests, in parallel, and the end-to-end tests (network namespaces on this kernel, qemu VMs),
// one file at a time after them: two VMs at once, or a VM beside the OSPF failover timings, would each take the
// CPU the other's deadlines assume. The last reporter prints the time each test folder and file took.
import { defineConfig } from 'vitest/config';

const E2E = 'test/e2e/**/*.test.ts';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/suite-timings.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [E2E, '**/node_modules/**'] } },
      { test: { name: 'e2e', include: [E2E], fileParallelism: false } },
    ],
  },
});
