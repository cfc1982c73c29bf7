import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:fast`: unit and in-process command tests for day-to-day work. Leaves out what spawns
// the built CLI or a shell (e2e, the documentation examples, the build checks, pty and completion tests), the long fault and fuzz
// matrices of test/reliability, and the benchmark. `npm test` (what CI runs) is still everything.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      // Workers are reused across files here (each file's modules are still fresh per file in the full suite).
      isolate: false,
      exclude: [
        'test/e2e/**',
        'test/docs/**',
        'test/reliability/**',
        'test/bench/**',
        'test/commands/auth-pty.test.ts',
        'test/commands/completion.test.ts',
        'test/output/malformed.test.ts',
        'test/spec/property.test.ts',
        'node_modules/**',
      ],
    },
  }),
);
