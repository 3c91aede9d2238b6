import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'packages/*/test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser and SIPp suites bind ports and start processes: keep files isolated.
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
    globalSetup: ['packages/server/test/helpers/global-setup.ts'],
  },
});
