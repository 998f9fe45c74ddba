// Retention without TTL indexes (some MongoDB-protocol servers lack them): deletes one bounded batch of
// deliveries (their attempts are embedded) and of events older than the retention period.
import type { Store } from '../src/store/index.js';

const DAY_MS = 86_400_000;

export interface PurgeInput {
  retentionDays: number;
  batchSize: number;
}

export interface PurgeResult {
  deliveries: number;
  events: number;
}

export function createPurgeExpired(store: Store) {
  return async function purgeExpired({ retentionDays, batchSize }: PurgeInput): Promise<PurgeResult> {
    const before = new Date(Date.now() - retentionDays * DAY_MS);
    // Deliveries first: a delivery never outlives its event's record.
    const deliveries = await store.deliveries.deleteOlderThan(before, batchSize);
    const events = await store.events.deleteOlderThan(before, batchSize);
    return { deliveries, events };
  };
}
