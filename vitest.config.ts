import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e suites bind loopback addresses; run files one at a time on 2-core machines.
    fileParallelism: false,
    reporters: ['default'],
  },
});
