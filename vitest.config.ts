import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault tests kill servers and processes: `npm run test:faults` (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // One Temporal dev server and one MongoDB-protocol server for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Polls wait on Temporal and the database, which on two busy cores take seconds, not vitest's 1 s default.
    expect: { poll: { timeout: 30_000, interval: 50 } },
    pool: 'forks',
    // Two cores: two test files at a time share the servers (each with its own task queue and database).
    maxWorkers: 2,
    // The JSON report is what .ci/run reads for its closing `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: '.herald-test/vitest-report.json' }]],
  },
});
