import { defineConfig } from 'vitest/config';

// `npm run test:plain`: a named subset of the integration suite with every speed-up off
// (HERALD_SPEEDUPS=off, docs/speed-ups.md), so the plain path cannot rot. test/support/herald.ts passes
// the variable on to every Herald these files start. Left out: files about one speed-up itself
// (fan-out pre-attempts, first attempts, batchers, caches), which assert what the speed-up does.
export const PLAIN_FILES = [
  'test/integration/skeleton.test.ts',
  'test/integration/delivery-engine.test.ts',
  'test/integration/webhook-health.test.ts',
  'test/integration/replay-recover.test.ts',
  'test/integration/races.test.ts',
];

export default defineConfig({
  test: {
    include: PLAIN_FILES,
    env: { HERALD_SPEEDUPS: 'off' },
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    expect: { poll: { timeout: 30_000, interval: 50 } },
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: '.herald-test/vitest-plain-report.json' }]],
  },
});
