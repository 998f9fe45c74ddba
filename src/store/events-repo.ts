import type { Collection } from 'mongodb';
import type { EventType } from '../domain/event-catalogue.js';
import type { EventDoc } from './documents.js';
import { byIds, type EntryDoc, entriesIn, newlyInserted, readEntries, scanScope } from './entry-scan.js';
import { entryKey, scopeRange } from './index-keys.js';
import { createInsertBatcher } from './insert-batcher.js';
import { type Collections, deleteByIds } from './mongo.js';
import type { TimeCursor, TimeWindow } from './time-cursor.js';
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

/**
 * The index entries of an event (index-keys.ts), in the events collection: `~a|<account>|<created>|<id>`,
 * `~t|<account>|<type>|…` and `~i|<account>|<inbox>|…` for `events.list`; `~r|<created>|<account>|<id>`
 * for retention (with what it needs to find the others); `~u|<created>|<account>|<id>`, the reconciler's
 * (removed by the reconciler once it finds the event dispatched: never by the publish path).
 */
type LocatedEvent = Pick<EventDoc, 'account_id' | 'id' | 'type' | 'inbox_id' | 'created_at'>;

/** Under `loc`, so that no query on the events' own fields ever matches an entry. */
export interface EventRetentionEntryDoc extends EntryDoc {
  loc: LocatedEvent;
}

function undispatchedKey(e: LocatedEvent): string {
  return entryKey('u', e.created_at, e.account_id, e.id);
}

/** The reconciler's marker of an event not yet dispatched. */
export function undispatchedEntry(e: LocatedEvent): EntryDoc {
  return { _id: undispatchedKey(e), ref: eventKey(e.account_id, e.id) };
}

export function eventEntries(e: LocatedEvent): EntryDoc[] {
  const ref = eventKey(e.account_id, e.id);
  const retention: EventRetentionEntryDoc = {
    _id: entryKey('r', e.created_at, e.account_id, e.id),
    ref,
    loc: { account_id: e.account_id, id: e.id, type: e.type, inbox_id: e.inbox_id, created_at: e.created_at },
  };
  return [
    { _id: entryKey('a', e.account_id, e.created_at, e.id), ref },
    { _id: entryKey('t', e.account_id, e.type, e.created_at, e.id), ref },
    ...(e.inbox_id !== null ? [{ _id: entryKey('i', e.account_id, e.inbox_id, e.created_at, e.id), ref }] : []),
    retention,
  ];
}

/** The undispatched events found, and whether there may be more (a full batch, or markers left to read). */
export interface UndispatchedPage {
  events: EventDoc[];
  more: boolean;
}

/** Reconciler markers read at most per call: those of dispatched events are removed as they are met. */
const MARKERS_PER_CALL_FACTOR = 20;

/** `groupCommit`: HERALD_SPEEDUP_GROUP_COMMIT (group-commit.ts); off, each insert and mark is its own command. */
export function createEventsRepo(c: Collections, { groupCommit = true }: { groupCommit?: boolean } = {}) {
  const entries = entriesIn(c.events);
  // Every publish stores one event and its entries: concurrent publishes share insert commands (see
  // insert-batcher.ts), and an event's entries travel in its command.
  const inserts = createInsertBatcher<EventDoc | EntryDoc>(c.events as unknown as Collection<EventDoc | EntryDoc>, {
    enabled: groupCommit,
  });
  // Nobody waits on a mark (the reconciler looks for unmarked events a minute later): they wait up to
  // MARK_HOLD_MS for company, so that a steady stream of publishes shares one command per batch. At most
  // MARKS_PER_COMMAND: FerretDB 1.24 holds a SQLite connection per statement until the command ends,
  // from a pool of 100, so long update batches can exhaust it and stall the server (seen at 500).
  const marks = createUpdateBatcher(c.events, { holdMs: MARK_HOLD_MS, maxBatch: MARKS_PER_COMMAND, enabled: groupCommit });
  return {
    /**
     * Stores the event unless the account already has one with this id; either way returns the stored
     * one, so a producer retrying a publish gets the first event back (`created: false`).
     */
    async insert(event: Omit<EventDoc, '_id' | 'dispatched_at'>): Promise<{ event: EventDoc; created: boolean }> {
      const doc: EventDoc = { _id: eventKey(event.account_id, event.id), ...event, dispatched_at: null };
      const made = [...eventEntries(doc), undispatchedEntry(doc)];
      const [outcome, ...entryOutcomes] = await Promise.all([inserts.insert(doc), ...made.map((entry) => inserts.insert(entry))]);
      if (outcome === 'inserted') return { event: doc, created: true };
      // A retried publish: entries made now carry this call's time, not the stored event's.
      await deleteByIds(entries, newlyInserted(made, entryOutcomes));
      const existing = await c.events.findOne({ _id: doc._id });
      if (!existing) throw new Error(`event ${doc._id} was refused as a duplicate but is not stored`);
      return { event: existing, created: false };
    },

    get(accountId: string, eventId: string): Promise<EventDoc | null> {
      return c.events.findOne({ _id: eventKey(accountId, eventId) });
    },

    /** The event a delivery attempt sends: one read by `_id` (recent-events.ts may answer it from memory). */
    forDelivery(accountId: string, eventId: string): Promise<EventDoc | null> {
      return c.events.findOne({ _id: eventKey(accountId, eventId) });
    },

    async markDispatched(accountId: string, eventId: string, now = new Date()): Promise<void> {
      // Filter on `_id` alone: FerretDB (the embedded server) pushes only a lone `_id` down to SQLite and
      // scans the whole collection for any other filter — once per publish, growing with every event.
      // Setting the time again when an event is dispatched twice is harmless.
      await marks.update(eventKey(accountId, eventId), { $set: { dispatched_at: now } });
    },

    /**
     * Events stored but never dispatched (the API died in between), stored before `before`, oldest first:
     * through the reconciler's markers, removing those of events dispatched meanwhile. Reads at most
     * MARKERS_PER_CALL_FACTOR × limit markers: the markers of the last interval's publishes, never the
     * whole collection.
     */
    async undispatched(before: Date, limit: number): Promise<UndispatchedPage> {
      const range = { $gte: scopeRange(['u']).$gte, $lt: entryKey('u', before) };
      const events: EventDoc[] = [];
      let after: string | undefined;
      for (let round = 0; round < MARKERS_PER_CALL_FACTOR; round++) {
        const markers = await readEntries(entries, { range, after, ascending: true, limit });
        const docs = await byIds(
          c.events,
          markers.map((m) => m.ref),
        );
        const done: string[] = [];
        for (const [i, doc] of docs.entries()) {
          const marker = markers[i] as EntryDoc;
          if (doc && doc.dispatched_at === null) {
            if (events.length < limit) events.push(doc);
          } else done.push(marker._id);
        }
        await deleteByIds(entries, done);
        if (markers.length < limit) return { events, more: false };
        if (events.length >= limit) return { events, more: true };
        after = markers.at(-1)?._id;
      }
      return { events, more: true };
    },

    /**
     * Newest first unless `ascending`; `next` is the cursor of the following page, null at the end.
     * Through the entries of the inbox, the type or the account; with both filters, the type is
     * applied to the inbox's events (such a page may come back short, with a cursor: entry-scan.ts).
     */
    async list(accountId: string, q: EventListQuery): Promise<{ events: EventDoc[]; next: TimeCursor | null }> {
      const scope = q.inbox_id ? ['i', accountId, q.inbox_id] : q.type ? ['t', accountId, q.type] : ['a', accountId];
      const { items, next } = await scanScope<EventDoc>({
        scope,
        since: q.since,
        until: q.until,
        after: q.after,
        ascending: q.ascending,
        limit: q.limit,
        docs: c.events,
        cursorOf: (e) => ({ at: e.created_at, id: e.id }),
        keep: q.inbox_id && q.type ? (e) => e.type === q.type : undefined,
      });
      return { events: items, next };
    },

    /**
     * Retention: deletes up to `limit` events created before `before`, oldest first, with their index
     * entries; found through the time-keyed retention entries. Returns how many.
     */
    async deleteOlderThan(before: Date, limit: number): Promise<number> {
      const found = await readEntries(entriesIn<EventRetentionEntryDoc>(c.events), {
        range: { $gte: scopeRange(['r']).$gte, $lt: entryKey('r', before) },
        ascending: true,
        limit,
      });
      if (found.length === 0) return 0;
      // The retention entry last: if this dies half way, the next run finds the event again.
      const ids = found.flatMap((e) => [
        e.ref,
        undispatchedKey(e.loc),
        ...eventEntries(e.loc)
          .map((entry) => entry._id)
          .filter((id) => id !== e._id),
      ]);
      await deleteByIds(c.events, ids);
      await deleteByIds(
        c.events,
        found.map((e) => e._id),
      );
      return found.length;
    },
  };
}

export type EventsRepo = ReturnType<typeof createEventsRepo>;
