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
    // No test reaches the internet: the default fetch of LiteLLM's public cost map is turned off
    // (built-in catalog only) unless a test configures a cost map itself (general_settings.cost_map or
    // its own env), which it points at a local server or file.
    env: { TOLLGATE_LOG: process.env.TOLLGATE_LOG ?? 'WARN', TOLLGATE_COST_MAP: 'builtin' },
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.ci-out/vitest.json' },
  },
});
