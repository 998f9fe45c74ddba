import { createAccountVersions } from './account-versions.js';
import { createAccountsRepo } from './accounts-repo.js';
import { createApiKeyRevocation } from './api-key-revocation.js';
import { createCatalogueVersion } from './catalogue-version.js';
import { createDeliveriesRepo } from './deliveries-repo.js';
import { createEventCatalogue } from './event-catalogue.js';
import { createEventTypesRepo } from './event-types-repo.js';
import { createEventsRepo } from './events-repo.js';
import { createIdempotencyRepo } from './idempotency-repo.js';
import { createListenRepo } from './listen-repo.js';
import type { Mongo } from './mongo.js';
import { createPortalRepo } from './portal-repo.js';
import { createProducerKeysRepo } from './producer-keys-repo.js';
import { withRecentEvents } from './recent-events.js';
import { createReplayClaims } from './replay-claims.js';
import { createWebhookMatcher } from './webhook-matcher.js';
import { createWebhookSlots } from './webhook-slots.js';
import { createWebhookStatsRepo } from './webhook-stats-repo.js';
import { createWebhooksRepo } from './webhooks-repo.js';

/**
 * The store's speed-ups (docs/speed-ups.md), each on unless switched off; all off, every read and write
 * is its own command to MongoDB. Named after their HERALD_SPEEDUP_* switches (Config['speedups']).
 */
export interface StoreSpeedups {
  recentEvents: boolean;
  authCache: boolean;
  webhookMatcher: boolean;
  groupCommit: boolean;
}

const ALL_ON: StoreSpeedups = { recentEvents: true, authCache: true, webhookMatcher: true, groupCommit: true };

export function createStore(mongo: Mongo, speedups: StoreSpeedups = ALL_ON) {
  const c = mongo.collections;
  const versions = createAccountVersions(c);
  const catalogueVersion = createCatalogueVersion(versions);
  const eventTypes = createEventTypesRepo(c, catalogueVersion);
  const accounts = createAccountsRepo(c, versions, { cache: speedups.authCache });
  const events = createEventsRepo(c, { groupCommit: speedups.groupCommit });
  return {
    accounts,
    apiKeyRevocation: createApiKeyRevocation(c, accounts),
    producerKeys: createProducerKeysRepo(c),
    webhooks: createWebhooksRepo(c, createWebhookMatcher(c, versions, { copies: speedups.webhookMatcher })),
    webhookStats: createWebhookStatsRepo(c),
    webhookSlots: createWebhookSlots(c),
    events: speedups.recentEvents ? withRecentEvents(events) : events,
    deliveries: createDeliveriesRepo(c, { groupCommit: speedups.groupCommit }),
    idempotency: createIdempotencyRepo(c),
    /** Event types added at run time (writes); `eventCatalogue` is every type as this process sees it (reads). */
    eventTypes,
    eventCatalogue: createEventCatalogue(eventTypes, catalogueVersion),
    replayClaims: createReplayClaims(c),
    /** Consumer portal links and sessions. */
    portal: createPortalRepo(c, versions),
    /** `herald listen` sessions and the attempts relayed through them. */
    listen: createListenRepo(c),
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
