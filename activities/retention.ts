// Retention without TTL indexes (some MongoDB-protocol servers lack them): deletes one bounded batch of
// deliveries (their attempts are embedded) and of events older than the retention period, and of the
// records kept for a day only: Idempotency-Key answers past their window and old replay claims.
import { IDEMPOTENCY_WINDOW_MS } from '../src/store/idempotency-repo.js';
import type { Store } from '../src/store/index.js';
import { PORTAL_RETENTION_MS } from '../src/store/portal-repo.js';

const DAY_MS = 86_400_000;

export interface PurgeInput {
  retentionDays: number;
  batchSize: number;
}

export interface PurgeResult {
  deliveries: number;
  events: number;
  /** Idempotency-Key records, replay claims and portal links/sessions. Absent in results recorded before they were purged. */
  keys?: number;
}

export function createPurgeExpired(store: Store) {
  return async function purgeExpired({ retentionDays, batchSize }: PurgeInput): Promise<PurgeResult> {
    const now = Date.now();
    const before = new Date(now - retentionDays * DAY_MS);
    // Deliveries first: a delivery never outlives its event's record.
    const deliveries = await store.deliveries.deleteOlderThan(before, batchSize);
    const events = await store.events.deleteOlderThan(before, batchSize);
    // A replay claim matters only while replays of its run race (seconds): a day is plenty.
    const keys =
      (await store.idempotency.deleteExpired(new Date(now - IDEMPOTENCY_WINDOW_MS), batchSize)) +
      (await store.replayClaims.deleteOlderThan(new Date(now - DAY_MS), batchSize)) +
      (await store.portal.deleteOlderThan(new Date(now - PORTAL_RETENTION_MS), batchSize));
    return { deliveries, events, keys };
  };
}
