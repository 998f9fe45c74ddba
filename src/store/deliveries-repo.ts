import type { Filter } from 'mongodb';
import type { AttemptOutcome } from '../domain/delivery.js';
import type { AttemptDoc, DeliveryDoc, DeliveryStatus } from './documents.js';
import { createInsertBatcher } from './insert-batcher.js';
import { type Collections, deleteBatch } from './mongo.js';
import { afterFilter, pageOf, sortBy, type TimeCursor, type TimeWindow, windowFilter } from './time-cursor.js';

export interface DeliveryListQuery extends TimeWindow {
  limit: number;
  after?: TimeCursor;
  ascending: boolean;
  webhook_id?: string;
  event_id?: string;
  status?: DeliveryStatus;
}

/** A webhook's failed deliveries whose events were published in a window: what `deliveries.recover` replays. */
export interface FailedQuery extends TimeWindow {
  webhookId: string;
}

function failedFilter(q: FailedQuery): Filter<DeliveryDoc> {
  return { $and: [{ webhook_id: q.webhookId, status: 'failed' }, windowFilter<DeliveryDoc>('event_created_at', q)] };
}

export type ParkedDelivery = Pick<DeliveryDoc, '_id' | 'workflow_id' | 'event_id' | 'event_created_at'>;

export function createDeliveriesRepo(c: Collections) {
  // Every publish stores its delivery records: concurrent publishes share insert commands (see insert-batcher.ts).
  const inserts = createInsertBatcher(c.deliveries);
  return {
    /** Inserts the records that do not exist yet; existing ones (a retried publish) are left alone. */
    async insertMany(deliveries: DeliveryDoc[]): Promise<void> {
      await this.insertNew(deliveries);
    },

    /** Like insertMany, and answers the ids of the records that already existed (a retried fan-out page). */
    async insertNew(deliveries: DeliveryDoc[]): Promise<Set<string>> {
      // Queued in one turn, so that they go in one command (with whatever other publishes queued).
      const outcomes = await Promise.all(deliveries.map((delivery) => inserts.insert(delivery)));
      return new Set(deliveries.filter((_, i) => outcomes[i] === 'duplicate').map((delivery) => delivery._id));
    },

    /** Scoped by account: another account's delivery is not found. (By `_id` alone: FerretDB scans for anything else.) */
    async get(accountId: string, deliveryId: string): Promise<DeliveryDoc | null> {
      const delivery = await c.deliveries.findOne({ _id: deliveryId });
      return delivery?.account_id === accountId ? delivery : null;
    },

    byId(deliveryId: string): Promise<DeliveryDoc | null> {
      return c.deliveries.findOne({ _id: deliveryId });
    },

    /** Newest first unless `ascending`; `next` is the cursor of the following page, null at the end. */
    async list(accountId: string, q: DeliveryListQuery): Promise<{ deliveries: DeliveryDoc[]; next: TimeCursor | null }> {
      const filters: Filter<DeliveryDoc>[] = [{ account_id: accountId }, windowFilter<DeliveryDoc>('created_at', q)];
      if (q.webhook_id) filters.push({ webhook_id: q.webhook_id });
      if (q.event_id) filters.push({ event_id: q.event_id });
      if (q.status) filters.push({ status: q.status });
      if (q.after) filters.push(afterFilter<DeliveryDoc>('created_at', q.after, q.ascending));
      const docs = await c.deliveries
        .find({ $and: filters })
        .sort(sortBy('created_at', q.ascending))
        .limit(q.limit + 1)
        .toArray();
      const { items, next } = pageOf(docs, q.limit, (d) => d.created_at);
      return { deliveries: items, next };
    },

    countFailed(q: FailedQuery): Promise<number> {
      return c.deliveries.countDocuments(failedFilter(q));
    },

    /** The next failed deliveries after `after`, oldest event first (the order they were published). */
    async failedPage(
      q: FailedQuery,
      after: TimeCursor | null,
      limit: number,
    ): Promise<{ deliveries: DeliveryDoc[]; next: TimeCursor | null }> {
      const filter = after ? { $and: [failedFilter(q), afterFilter<DeliveryDoc>('event_created_at', after, true)] } : failedFilter(q);
      const docs = await c.deliveries
        .find(filter)
        .sort(sortBy('event_created_at', true))
        .limit(limit + 1)
        .toArray();
      const { items, next } = pageOf(docs, limit, (d) => d.event_created_at);
      return { deliveries: items, next };
    },

    /** `handoff`: a fan-out's first attempt, which the delivery workflow adopts (see DeliveryDoc.handoff). */
    async recordAttempt(
      deliveryId: string,
      attempt: AttemptDoc,
      status: DeliveryStatus,
      nextAttemptAt: Date | null,
      handoff?: AttemptOutcome,
    ): Promise<void> {
      await c.deliveries.updateOne(
        { _id: deliveryId },
        {
          $push: { attempts: attempt },
          $set: { status, next_attempt_at: nextAttemptAt, updated_at: new Date(), ...(handoff ? { handoff } : {}) },
        },
      );
    },

    /**
     * Removes the delivery's handoff marker and answers what it held (with the record's next attempt
     * time); null when there was none. One reader only: the delivery workflow's first attempt.
     */
    async takeHandoff(deliveryId: string): Promise<{ outcome: AttemptOutcome; nextAttemptAt: Date | null } | null> {
      const doc = await c.deliveries.findOne({ _id: deliveryId }, { projection: { handoff: 1, next_attempt_at: 1 } });
      if (doc?.handoff === undefined) return null;
      await c.deliveries.updateOne({ _id: deliveryId }, { $unset: { handoff: '' } });
      return doc.handoff === null ? null : { outcome: doc.handoff, nextAttemptAt: doc.next_attempt_at };
    },

    /** A webhook's parked deliveries in the order their events were published. */
    parked(webhookId: string, limit: number): Promise<ParkedDelivery[]> {
      return c.deliveries
        .find<ParkedDelivery>(
          { webhook_id: webhookId, status: 'parked' },
          { projection: { _id: 1, workflow_id: 1, event_id: 1, event_created_at: 1 } },
        )
        .sort({ event_created_at: 1, event_id: 1 })
        .limit(limit)
        .toArray();
    },

    countParked(webhookId: string): Promise<number> {
      return c.deliveries.countDocuments({ webhook_id: webhookId, status: 'parked' });
    },

    async setStatus(deliveryId: string, status: DeliveryStatus, nextAttemptAt: Date | null = null): Promise<void> {
      await c.deliveries.updateOne({ _id: deliveryId }, { $set: { status, next_attempt_at: nextAttemptAt, updated_at: new Date() } });
    },

    /** Retention: deletes up to `limit` deliveries (their attempts are embedded) created before `before`. */
    deleteOlderThan(before: Date, limit: number): Promise<number> {
      return deleteBatch(c.deliveries, { created_at: { $lt: before } }, limit);
    },
  };
}

export type DeliveriesRepo = ReturnType<typeof createDeliveriesRepo>;
