import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kernel test files mostly wait on the kernel (handshakes, quiet periods), so several run
    // side by side even on 2 cores; each run has its own uniquely named namespaces.
    fileParallelism: true,
    maxWorkers: 4,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
