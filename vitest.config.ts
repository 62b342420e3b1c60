import { defineConfig } from 'vitest/config';

// Tests live next to the code (src/**/x.test.ts) and end-to-end tests in test/.
// Files run in parallel processes; tests that need PostgreSQL/Redis create their own database/keys.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'ui/src/**/*.test.ts'],
    // Builds the admin console (ui/dist) when it is missing or older than its sources.
    globalSetup: ['test/ui-build-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // Keep test output readable; tests that check logs set their own level.
    env: { TOLLGATE_LOG: process.env.TOLLGATE_LOG ?? 'WARN' },
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.ci-out/vitest.json' },
  },
});
