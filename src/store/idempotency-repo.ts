// Idempotency-Key records. No TTL index (some MongoDB-protocol servers lack them): a record older than
// the window simply does not count in the queries below, and `deleteExpired` is for the retention job.
import type { IdempotencyDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export type Claim = { claimed: true } | { claimed: false; existing: IdempotencyDoc };

export interface ClaimOptions {
  /** Records created before this are expired: the key may be used afresh. */
  expiredBefore: Date;
  /** A `pending` record created before this belongs to a request that died: it may be taken over. */
  abandonedBefore: Date;
}

export function idempotencyRecordId(accountId: string, route: string, key: string): string {
  return `${accountId}/${route}/${key}`;
}

export function createIdempotencyRepo(c: Collections) {
  return {
    /**
     * Claims the key for a new request (a `pending` record), or returns the record that holds it. The
     * unique `_id` makes concurrent claims safe: exactly one wins.
     */
    async claim(doc: IdempotencyDoc, { expiredBefore, abandonedBefore }: ClaimOptions): Promise<Claim> {
      for (let tries = 0; tries < 3; tries++) {
        try {
          await c.idempotency.insertOne(doc);
          return { claimed: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const { _id, ...fields } = doc;
        const taken = await c.idempotency.findOneAndUpdate(
          { _id, $or: [{ created_at: { $lt: expiredBefore } }, { state: 'pending', created_at: { $lt: abandonedBefore } }] },
          { $set: fields },
        );
        if (taken) return { claimed: true };
        const existing = await c.idempotency.findOne({ _id });
        if (existing) return { claimed: false, existing };
        // Released between our insert and read: try again.
      }
      throw new Error(`idempotency record ${doc._id} kept changing`);
    },

    async complete(id: string, createdAt: Date, response: unknown): Promise<void> {
      await c.idempotency.updateOne({ _id: id, created_at: createdAt }, { $set: { state: 'done', response } });
    },

    /** Frees the key after the first request failed, so that a retry with the same key can run. */
    async release(id: string, createdAt: Date): Promise<void> {
      await c.idempotency.deleteOne({ _id: id, created_at: createdAt, state: 'pending' });
    },

    async deleteExpired(before: Date): Promise<number> {
      const { deletedCount } = await c.idempotency.deleteMany({ created_at: { $lt: before } });
      return deletedCount;
    },
  };
}

export type IdempotencyRepo = ReturnType<typeof createIdempotencyRepo>;
