import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: Herald as 2 `api` + 2 `worker` processes on a real Temporal cluster (the Temporal
// server built from its Go module, on PostgreSQL 15, 4 history shards) and FerretDB, all child processes
// killed and restarted by PID. The global setup finds or builds (once, cached) the server and its sql tool.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    testTimeout: 420_000,
    hookTimeout: 300_000,
    expect: { poll: { timeout: 120_000, interval: 250 } },
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default', ['json', { outputFile: '.herald-test/vitest-cluster-report.json' }]],
  },
});
