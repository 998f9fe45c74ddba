import type { EventDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export function eventKey(accountId: string, eventId: string): string {
  return `${accountId}/${eventId}`;
}

export function createEventsRepo(c: Collections) {
  return {
    /**
     * Stores the event unless the account already has one with this id; either way returns the stored
     * one, so a producer retrying a publish gets the first event back (`created: false`).
     */
    async insert(event: Omit<EventDoc, '_id' | 'dispatched_at'>): Promise<{ event: EventDoc; created: boolean }> {
      const doc: EventDoc = { _id: eventKey(event.account_id, event.id), ...event, dispatched_at: null };
      try {
        await c.events.insertOne(doc);
        return { event: doc, created: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await c.events.findOne({ _id: doc._id });
        if (!existing) throw error;
        return { event: existing, created: false };
      }
    },

    get(accountId: string, eventId: string): Promise<EventDoc | null> {
      return c.events.findOne({ _id: eventKey(accountId, eventId) });
    },

    async markDispatched(accountId: string, eventId: string, now = new Date()): Promise<void> {
      // Filter on `_id` alone: FerretDB (the embedded server) pushes only a lone `_id` down to SQLite and
      // scans the whole collection for any other filter — once per publish, growing with every event.
      // Setting the time again when an event is dispatched twice is harmless.
      await c.events.updateOne({ _id: eventKey(accountId, eventId) }, { $set: { dispatched_at: now } });
    },

    /** Events stored but never dispatched (the API died in between), older than `before`. */
    undispatched(before: Date, limit: number): Promise<EventDoc[]> {
      return c.events
        .find({ dispatched_at: null, created_at: { $lt: before } })
        .sort({ created_at: 1 })
        .limit(limit)
        .toArray();
    },
  };
}

export type EventsRepo = ReturnType<typeof createEventsRepo>;
