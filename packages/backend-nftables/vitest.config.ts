import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CI runs the seven packages at once on 2 CPUs, where a test takes 4-6 times as long as
    // alone (a Calico property: 11 s alone, 57 s there; a kernel reload test 12 s, 49 s): a
    // limit for hangs, not a speed check (those are benchmarks).
    testTimeout: 240_000,
  },
});
