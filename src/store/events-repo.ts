import type { Filter } from 'mongodb';
import type { EventType } from '../domain/event-catalogue.js';
import type { EventDoc } from './documents.js';
import { createInsertBatcher } from './insert-batcher.js';
import { type Collections, deleteBatch } from './mongo.js';
import { afterFilter, pageOf, sortBy, type TimeCursor, type TimeWindow, windowFilter } from './time-cursor.js';
import { createUpdateBatcher } from './update-batcher.js';

export interface EventListQuery extends TimeWindow {
  limit: number;
  after?: TimeCursor;
  ascending: boolean;
  type?: EventType;
  inbox_id?: string;
}

const MARK_HOLD_MS = 100;
const MARKS_PER_COMMAND = 8;

export function eventKey(accountId: string, eventId: string): string {
  return `${accountId}/${eventId}`;
}

export function createEventsRepo(c: Collections) {
  // Every publish stores one event: concurrent publishes share insert commands (see insert-batcher.ts).
  const inserts = createInsertBatcher(c.events);
  // Nobody waits on a mark (the reconciler looks for unmarked events a minute later): they wait up to
  // MARK_HOLD_MS for company, so that a steady stream of publishes shares one command per batch. At most
  // MARKS_PER_COMMAND: FerretDB 1.24 holds a SQLite connection per statement until the command ends,
  // from a pool of 100, so long update batches can exhaust it and stall the server (seen at 500).
  const marks = createUpdateBatcher(c.events, { holdMs: MARK_HOLD_MS, maxBatch: MARKS_PER_COMMAND });
  return {
    /**
     * Stores the event unless the account already has one with this id; either way returns the stored
     * one, so a producer retrying a publish gets the first event back (`created: false`).
     */
    async insert(event: Omit<EventDoc, '_id' | 'dispatched_at'>): Promise<{ event: EventDoc; created: boolean }> {
      const doc: EventDoc = { _id: eventKey(event.account_id, event.id), ...event, dispatched_at: null };
      if ((await inserts.insert(doc)) === 'inserted') return { event: doc, created: true };
      const existing = await c.events.findOne({ _id: doc._id });
      if (!existing) throw new Error(`event ${doc._id} was refused as a duplicate but is not stored`);
      return { event: existing, created: false };
    },

    get(accountId: string, eventId: string): Promise<EventDoc | null> {
      return c.events.findOne({ _id: eventKey(accountId, eventId) });
    },

    async markDispatched(accountId: string, eventId: string, now = new Date()): Promise<void> {
      // Filter on `_id` alone: FerretDB (the embedded server) pushes only a lone `_id` down to SQLite and
      // scans the whole collection for any other filter — once per publish, growing with every event.
      // Setting the time again when an event is dispatched twice is harmless.
      await marks.update(eventKey(accountId, eventId), { $set: { dispatched_at: now } });
    },

    /** Events stored but never dispatched (the API died in between), older than `before`. */
    undispatched(before: Date, limit: number): Promise<EventDoc[]> {
      return c.events
        .find({ dispatched_at: null, created_at: { $lt: before } })
        .sort({ created_at: 1 })
        .limit(limit)
        .toArray();
    },

    /** Newest first unless `ascending`; `next` is the cursor of the following page, null at the end. */
    async list(accountId: string, q: EventListQuery): Promise<{ events: EventDoc[]; next: TimeCursor | null }> {
      const filters: Filter<EventDoc>[] = [{ account_id: accountId }, windowFilter<EventDoc>('created_at', q)];
      if (q.type) filters.push({ type: q.type });
      if (q.inbox_id) filters.push({ inbox_id: q.inbox_id });
      if (q.after) filters.push(afterFilter<EventDoc>('created_at', q.after, q.ascending));
      const docs = await c.events
        .find({ $and: filters })
        .sort(sortBy('created_at', q.ascending))
        .limit(q.limit + 1)
        .toArray();
      const { items, next } = pageOf(docs, q.limit, (e) => e.created_at);
      return { events: items, next };
    },

    /** Retention: deletes up to `limit` events created before `before`; returns how many. */
    deleteOlderThan(before: Date, limit: number): Promise<number> {
      return deleteBatch(c.events, { created_at: { $lt: before } }, limit);
    },
  };
}

export type EventsRepo = ReturnType<typeof createEventsRepo>;
