import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Kernel tests mostly wait (probe timeouts, child processes): run the files side by side
    // even on a 2-core machine. Each file uses its own namespace prefix.
    maxWorkers: 4,
  },
});
