import { defineConfig } from 'vitest/config';

// `npm run test:tools`: tests of the tools around Herald that need more than Node (the consumer portal in
// Debian's chromium, driven by playwright-core). Same servers as the integration project (one Temporal
// dev server and one MongoDB-protocol server from test/global-setup), one file at a time.
export default defineConfig({
  test: {
    include: ['test/tools/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    expect: { poll: { timeout: 30_000, interval: 100 } },
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default', ['json', { outputFile: '.herald-test/vitest-tools-report.json' }]],
  },
});
