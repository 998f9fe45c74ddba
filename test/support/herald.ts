// A whole Herald (API + worker) per test file, on the shared test servers, with its own task queue and
// database so that files never see each other's data, and fast retry schedules.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type Herald, type HeraldOptions, startHerald } from '../../src/app.js';
import { createHeraldClient } from '../../src/client/index.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/logger.js';
import { reconcilerScheduleId, retentionScheduleId } from '../../src/temporal/workflow-ids.js';

export interface TestHerald extends Herald {
  adminKey: string;
  admin: ReturnType<typeof createHeraldClient>;
  /** A new account and a client authenticated as it. */
  newAccount(name?: string): Promise<{ accountId: string; apiKey: string; client: ReturnType<typeof createHeraldClient> }>;
  client(apiKey: string): ReturnType<typeof createHeraldClient>;
}

export async function startTestHerald(
  env: Record<string, string> = {},
  options: Pick<HeraldOptions, 'workerSlots'> & Partial<Pick<HeraldOptions, 'log'>> = {},
): Promise<TestHerald> {
  const suffix = randomBytes(4).toString('hex');
  const adminKey = `hk_admin_test_${randomBytes(12).toString('hex')}`;
  const config = loadConfig({
    HERALD_API_PORT: '0',
    HERALD_ALLOW_PRIVATE_URLS: 'true',
    HERALD_LOG_LEVEL: 'warn',
    HERALD_RETRY_SCHEDULE: '200ms,200ms,200ms',
    HERALD_DELIVERY_TIMEOUT: '2s',
    // Maintenance stays out of the way unless a test file asks for it.
    HERALD_RECONCILE_INTERVAL: '1h',
    HERALD_RETENTION_INTERVAL: '1h',
    TEMPORAL_TASK_QUEUE: `herald-test-${suffix}`,
    MONGODB_DATABASE: `herald_test_${suffix}`,
    ...env,
    // `npm run test:plain` runs its files with every speed-up off (docs/speed-ups.md), whatever they ask.
    ...(process.env.HERALD_SPEEDUPS ? { HERALD_SPEEDUPS: process.env.HERALD_SPEEDUPS } : {}),
  });
  const herald = await startHerald({
    config,
    temporalAddress: inject('temporalAddress'),
    // A test that needs its own MongoDB-protocol server (to stop it) passes MONGODB_URI.
    mongodbUri: config.mongodb.uri ?? inject('mongodbUri'),
    adminApiKey: adminKey,
    log: options.log ?? createLogger(config.logLevel),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...options,
  });
  const client = (apiKey: string) => createHeraldClient({ url: herald.url, apiKey });
  const admin = client(adminKey);
  return {
    ...herald,
    adminKey,
    admin,
    client,
    async newAccount(name = 'Test account') {
      const { account, api_key } = await admin.accounts.create.mutate({ name });
      return { accountId: account.id, apiKey: api_key, client: client(api_key) };
    },
    async stop() {
      // The schedules would outlive this file's worker on the shared server.
      const taskQueue = config.temporal.taskQueue;
      await Promise.allSettled(
        [reconcilerScheduleId(taskQueue), retentionScheduleId(taskQueue)].map((id) => herald.deps.temporal.schedule.getHandle(id).delete()),
      );
      try {
        await herald.deps.store.dropDatabase();
      } finally {
        await herald.stop();
      }
    },
  };
}
