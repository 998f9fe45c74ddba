import { defineConfig } from 'vitest/config';

// `npm run test:tools`: the tools around Herald, against a live Herald on the integration servers
// (test/support/global-setup.ts): the packed TypeScript client, the generated Python client and the
// consumer portal in Chromium. They need what `npm test` does not: Debian's chromium and the Python
// virtual environment `.venv` (README, "Clients"), so they run apart, as .ci/run does after the fault tests.
export default defineConfig({
  test: {
    include: ['test/tools/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    expect: { poll: { timeout: 30_000, interval: 100 } },
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default', ['json', { outputFile: '.herald-test/vitest-tools-report.json' }]],
  },
});
