import { defineConfig } from 'vitest/config';

// `npm run test:faults`: each file starts its own servers and Herald as child processes, and kills
// them by PID. Slow (a minute or so per file) and CPU-hungry, so one file at a time and apart from `npm test`.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    expect: { poll: { timeout: 60_000, interval: 100 } },
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default', ['json', { outputFile: '.herald-test/vitest-faults-report.json' }]],
  },
});
