import { createAccountVersions } from './account-versions.js';
import { createAccountsRepo } from './accounts-repo.js';
import { createDeliveriesRepo } from './deliveries-repo.js';
import { createEventsRepo } from './events-repo.js';
import { createIdempotencyRepo } from './idempotency-repo.js';
import type { Mongo } from './mongo.js';
import { createProducerKeysRepo } from './producer-keys-repo.js';
import { withRecentEvents } from './recent-events.js';
import { createWebhookMatcher } from './webhook-matcher.js';
import { createWebhookStatsRepo } from './webhook-stats-repo.js';
import { createWebhooksRepo } from './webhooks-repo.js';

export function createStore(mongo: Mongo) {
  const c = mongo.collections;
  const versions = createAccountVersions(c);
  return {
    accounts: createAccountsRepo(c, versions),
    producerKeys: createProducerKeysRepo(c),
    webhooks: createWebhooksRepo(c, createWebhookMatcher(c, versions)),
    webhookStats: createWebhookStatsRepo(c),
    events: withRecentEvents(createEventsRepo(c)),
    deliveries: createDeliveriesRepo(c),
    idempotency: createIdempotencyRepo(c),
    /** For tests, which give every file its own database. */
    async dropDatabase(): Promise<void> {
      await mongo.db.dropDatabase();
    },
    async ping(): Promise<void> {
      await mongo.db.command({ ping: 1 });
    },
  };
}

export type Store = ReturnType<typeof createStore>;
