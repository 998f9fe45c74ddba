// One page of a bulk recover: the next failed deliveries of a webhook in the window, each replayed
// (reset to its first workflow task), a few at a time.
import { log } from '@temporalio/activity';
import type { DispatchDeps } from '../src/temporal/dispatch.js';
import { replayDelivery } from '../src/temporal/replay.js';
import { forEachBounded } from './for-each-bounded.js';

/** Replays in flight at once: each is two Temporal calls and two store writes. */
const CONCURRENCY = 8;

export interface RecoverCursor {
  /** The event's created_at, epoch ms. */
  at: number;
  id: string;
}

export interface RecoverPageInput {
  webhookId: string;
  /** Epoch ms: events published in [since, until). */
  since: number;
  until: number;
  after: RecoverCursor | null;
  limit: number;
}

export interface RecoverPageResult {
  replayed: number;
  failed: number;
  next: RecoverCursor | null;
}

export function createRecoverPage(dispatch: DispatchDeps) {
  return async function recoverPage({ webhookId, since, until, after, limit }: RecoverPageInput): Promise<RecoverPageResult> {
    const { deliveries, next } = await dispatch.store.deliveries.failedPage(
      { webhookId, since: new Date(since), until: new Date(until) },
      after ? { at: new Date(after.at), id: after.id } : null,
      limit,
    );
    let replayed = 0;
    let failed = 0;
    await forEachBounded(deliveries, CONCURRENCY, async (delivery) => {
      try {
        const result = await replayDelivery(dispatch, delivery, 'herald: deliveries.recover');
        if (result.ok) replayed++;
        else failed++;
      } catch (error) {
        failed++;
        log.warn('replaying a delivery failed', { deliveryId: delivery._id, error: String(error) });
      }
    });
    return { replayed, failed, next: next ? { at: next.at.getTime(), id: next.id } : null };
  };
}
