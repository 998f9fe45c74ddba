import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Polls wait on Temporal and the database, which on two busy cores take seconds, not vitest's 1 s default.
    expect: { poll: { timeout: 30_000, interval: 50 } },
    pool: 'forks',
    // Two cores: two test files at a time share the servers (each with its own task queue and database).
    maxWorkers: 2,
    // The JSON report is what .ci/run reads for its closing `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: '.herald-test/vitest-report.json' }]],
    // `npm test` runs every project; `npm run test:unit` only `unit`, which starts no server.
    // The fault tests kill servers and processes: `npm run test:faults` (vitest.faults.config.ts).
    projects: [
      // Pure code and replays of recorded histories (test/histories/): no server, seconds.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Time-skipping workflow tests on Temporal's Java test server, one per file (src/dev-stack/test-server.ts).
      {
        extends: true,
        test: { name: 'workflows', include: ['test/workflows/**/*.test.ts'], globalSetup: ['test/support/test-server-setup.ts'] },
      },
      // One Temporal dev server and one MongoDB-protocol server for the whole run.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/unit/**', 'test/workflows/**', 'test/faults/**', 'test/tools/**', 'test/cluster/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
