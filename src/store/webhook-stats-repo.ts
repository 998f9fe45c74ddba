// A webhook's delivery statistics: written by every attempt (the hot path) and by an enable, read by
// the API's views and the health workflow. Never the webhook document itself (see WebhookStatsDoc).
import type { UpdateFilter } from 'mongodb';
import type { WebhookStatsDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export interface RecordedOutcome {
  seq: number;
  failureCount: number;
  previousFailureCount: number;
}

/** What the views show for a webhook that has not had an attempt yet. */
export const NO_STATS: Omit<WebhookStatsDoc, '_id'> = {
  failure_count: 0,
  last_delivered_at: null,
  last_failure_at: null,
  last_error: null,
  health_seq: 0,
};

export function createWebhookStatsRepo(c: Collections) {
  /**
   * Applies an update to the webhook's statistics, creating them on its first attempt. Null when the
   * webhook no longer exists (its statistics are deleted with it and are not made again).
   */
  async function update(webhookId: string, update: UpdateFilter<WebhookStatsDoc>, returnDocument: 'before' | 'after') {
    for (let tries = 0; tries < 2; tries++) {
      const doc = await c.webhookStats.findOneAndUpdate({ _id: webhookId }, update, { returnDocument });
      if (doc) return doc;
      if (!(await c.webhooks.findOne({ _id: webhookId }, { projection: { _id: 1 } }))) return null;
      try {
        await c.webhookStats.insertOne({ _id: webhookId, ...NO_STATS });
      } catch (error) {
        // Made concurrently by another attempt: update that one.
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new Error(`the statistics of webhook ${webhookId} could not be made`);
  }

  return {
    get(webhookId: string): Promise<WebhookStatsDoc | null> {
      return c.webhookStats.findOne({ _id: webhookId });
    },

    /**
     * The statistics of a page of webhooks: one lookup by `_id` each, in parallel. (One `$in` query
     * would scan the whole collection on FerretDB, which uses the index only for a lone `_id`.)
     */
    async forWebhooks(webhookIds: string[]): Promise<Map<string, WebhookStatsDoc>> {
      const docs = await Promise.all([...new Set(webhookIds)].map((id) => c.webhookStats.findOne({ _id: id })));
      return new Map(docs.filter((doc) => doc !== null).map((doc) => [doc._id, doc]));
    },

    /**
     * Records an attempt's outcome, in one update whose `seq` orders it among concurrent ones. Null
     * when the webhook no longer exists. Exact on MongoDB; FerretDB 1.x reads and rewrites the
     * document, so of two attempts finishing at the same instant one write can be lost (a count off by
     * one; their reports then share a seq and one is ignored). Only statistics: never a setting.
     */
    async record(webhookId: string, success: boolean, error: string | null, at: Date): Promise<RecordedOutcome | null> {
      const before = await update(
        webhookId,
        success
          ? { $set: { last_delivered_at: at, failure_count: 0 }, $inc: { health_seq: 1 } }
          : { $set: { last_failure_at: at, last_error: error }, $inc: { failure_count: 1, health_seq: 1 } },
        'before',
      );
      if (!before) return null;
      return {
        seq: before.health_seq + 1,
        previousFailureCount: before.failure_count,
        failureCount: success ? 0 : before.failure_count + 1,
      };
    },

    /**
     * An enable: the count starts again at 0, and `health_seq` moves on so that reports of attempts
     * made before are recognised as stale. Resolves with that seq; null when the webhook is gone.
     */
    async reset(webhookId: string): Promise<number | null> {
      const after = await update(webhookId, { $set: { failure_count: 0 }, $inc: { health_seq: 1 } }, 'after');
      return after ? after.health_seq : null;
    },

    async delete(webhookId: string): Promise<void> {
      await c.webhookStats.deleteOne({ _id: webhookId });
    },
  };
}

export type WebhookStatsRepo = ReturnType<typeof createWebhookStatsRepo>;
