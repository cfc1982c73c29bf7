import { defineConfig } from 'vitest/config';

// Tests talk to the emulator over real loopback HTTP; keep parallelism to the machine's two cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
