// Idempotency-Key records. No TTL index (some MongoDB-protocol servers lack them): a record older than
// the window simply does not count in the queries below, and the retention schedule deletes it
// (`deleteExpired`, activities/retention.ts).
import type { IdempotencyDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';
import { addTimeEntry, deleteCreatedBefore } from './time-entries.js';

/** How long the first answer to a request with an `Idempotency-Key` is kept. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

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
  /**
   * The record if it is still the one the request made at `createdAt`. Read by `_id` alone and
   * compared here, then written by `_id`: on FerretDB any other filter scans the whole collection (and
   * it would not apply that filter atomically either).
   */
  async function ownRecord(id: string, createdAt: Date): Promise<IdempotencyDoc | null> {
    const record = await c.idempotency.findOne({ _id: id });
    return record && record.created_at.getTime() === createdAt.getTime() ? record : null;
  }

  return {
    /**
     * Claims the key for a new request (a `pending` record), or returns the record that holds it. The
     * unique `_id` makes concurrent claims safe: exactly one wins.
     */
    async claim(doc: IdempotencyDoc, { expiredBefore, abandonedBefore }: ClaimOptions): Promise<Claim> {
      // Its retention entry first, for the insert or the takeover below (time-entries.ts).
      await addTimeEntry(c.idempotency, doc._id, doc.created_at);
      for (let tries = 0; tries < 3; tries++) {
        try {
          await c.idempotency.insertOne(doc);
          return { claimed: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const { _id, ...fields } = doc;
        // Read by `_id` and decided here (FerretDB scans the collection for any other filter).
        const existing = await c.idempotency.findOne({ _id });
        if (existing && !(existing.created_at < expiredBefore || (existing.state === 'pending' && existing.created_at < abandonedBefore))) {
          return { claimed: false, existing };
        }
        if (existing) {
          // Expired or abandoned: take it over. Of concurrent takers the last write stays: reading it
          // back tells each one whether it is the one holding the key.
          await c.idempotency.updateOne({ _id }, { $set: fields });
          const held = await c.idempotency.findOne({ _id });
          if (held && held.created_at.getTime() === doc.created_at.getTime() && held.request_hash === doc.request_hash) {
            return { claimed: true };
          }
          if (held) return { claimed: false, existing: held };
        }
        // Released between our insert and read: try again.
      }
      throw new Error(`idempotency record ${doc._id} kept changing`);
    },

    /** Stores the answer, unless the record is no longer this request's (taken over after it was abandoned). */
    async complete(id: string, createdAt: Date, response: unknown): Promise<void> {
      if (!(await ownRecord(id, createdAt))) return;
      await c.idempotency.updateOne({ _id: id }, { $set: { state: 'done', response } });
    },

    /** Frees the key after the first request failed, so that a retry with the same key can run. */
    async release(id: string, createdAt: Date): Promise<void> {
      const record = await ownRecord(id, createdAt);
      if (record?.state !== 'pending') return;
      await c.idempotency.deleteOne({ _id: id });
    },

    /** Deletes records created before `before`, through at most `limit` retention entries (one bounded batch). */
    deleteExpired(before: Date, limit = 1_000): Promise<number> {
      return deleteCreatedBefore(c.idempotency, before, limit);
    },
  };
}

export type IdempotencyRepo = ReturnType<typeof createIdempotencyRepo>;
