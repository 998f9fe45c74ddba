import type { Collection } from 'mongodb';
import type { AttemptOutcome } from '../domain/delivery.js';
import type { AttemptDoc, DeliveryDoc, DeliveryStatus } from './documents.js';
import { byIds, type EntryDoc, entriesIn, newlyInserted, readEntries, scanScope } from './entry-scan.js';
import { entryKey, scopeRange } from './index-keys.js';
import { createInsertBatcher } from './insert-batcher.js';
import { type Collections, deleteByIds, isDuplicateKey } from './mongo.js';
import type { TimeCursor, TimeWindow } from './time-cursor.js';

/** A first attempt's outcome left on its record; `run`: the workflow run that has adopted it already, if any. */
export interface HandoffWrite {
  outcome: AttemptOutcome;
  run: string | null;
}

function handoffFields({ outcome, run }: HandoffWrite): Pick<DeliveryDoc, 'handoff' | 'handoff_run'> {
  return run === null ? { handoff: outcome } : { handoff: outcome, handoff_run: run };
}

/** A delivery's first attempt, begun before its workflow started (see DeliveryDoc.handoff). */
export type Handoff =
  | { state: 'none' }
  | { state: 'begun'; since: Date }
  | { state: 'made'; outcome: AttemptOutcome; nextAttemptAt: Date | null };

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

export type ParkedDelivery = Pick<DeliveryDoc, '_id' | 'workflow_id' | 'event_id' | 'event_created_at'>;

/**
 * The index entries of a delivery (index-keys.ts), in the deliveries collection:
 * - `~a|<account>|<created>|<delivery>` and `~w|<webhook>|<created>|<delivery>`: `deliveries.list`;
 * - `~e|<account>|<event>|<delivery>`: `deliveries.list` by event;
 * - `~r|<created>|<delivery>`: retention, with what it needs to find the others;
 * - `~f|<webhook>|<event created>|<delivery>` while failed (`deliveries.recover`) and
 *   `~p|<webhook>|<event created>|<event>` while parked (release in publication order). Made when the
 *   status is set; one left behind when the status moved on is dropped by the next reader that finds it.
 */
type Located = Pick<DeliveryDoc, '_id' | 'account_id' | 'webhook_id' | 'event_id' | 'event_created_at' | 'created_at'>;

/** Under `loc`, so that no query on the deliveries' own fields (`webhook_id`, …) ever matches an entry. */
export interface RetentionEntryDoc extends EntryDoc {
  loc: Omit<Located, '_id'>;
}

export function deliveryEntries(d: Located): EntryDoc[] {
  const retention: RetentionEntryDoc = {
    _id: entryKey('r', d.created_at, d._id),
    ref: d._id,
    loc: {
      account_id: d.account_id,
      webhook_id: d.webhook_id,
      event_id: d.event_id,
      event_created_at: d.event_created_at,
      created_at: d.created_at,
    },
  };
  return [
    { _id: entryKey('a', d.account_id, d.created_at, d._id), ref: d._id },
    { _id: entryKey('w', d.webhook_id, d.created_at, d._id), ref: d._id },
    { _id: entryKey('e', d.account_id, d.event_id, d._id), ref: d._id },
    retention,
  ];
}

function failedKey(d: Pick<DeliveryDoc, '_id' | 'webhook_id' | 'event_created_at'>): string {
  return entryKey('f', d.webhook_id, d.event_created_at, d._id);
}

function parkedKey(d: Pick<DeliveryDoc, 'webhook_id' | 'event_created_at' | 'event_id'>): string {
  return entryKey('p', d.webhook_id, d.event_created_at, d.event_id);
}

/** Every `_id` a delivery and its entries may have. */
function allIds(d: Located): string[] {
  return [d._id, ...deliveryEntries(d).map((e) => e._id), failedKey(d), parkedKey(d)];
}

const STATUS_KEYS: Partial<Record<DeliveryStatus, (d: DeliveryDoc) => string>> = { failed: failedKey, parked: parkedKey };

/** The entry a delivery's current status needs (failed, parked), if any. */
export function statusEntry(d: DeliveryDoc): EntryDoc | null {
  const keyOf = STATUS_KEYS[d.status];
  return keyOf ? { _id: keyOf(d), ref: d._id } : null;
}

/** `groupCommit`: HERALD_SPEEDUP_GROUP_COMMIT (group-commit.ts); off, each insert is its own command. */
export function createDeliveriesRepo(c: Collections, { groupCommit = true }: { groupCommit?: boolean } = {}) {
  const entries = entriesIn(c.deliveries);
  // Every publish stores its delivery records and their index entries: concurrent publishes share
  // insert commands (see insert-batcher.ts), and a delivery's entries travel in its command.
  const inserts = createInsertBatcher<DeliveryDoc | EntryDoc>(c.deliveries as unknown as Collection<DeliveryDoc | EntryDoc>, {
    enabled: groupCommit,
  });

  /** Makes the entry of a failed or parked delivery, once the status is written (see dropStale). */
  async function noteStatus(deliveryId: string, status: DeliveryStatus): Promise<void> {
    const keyOf = STATUS_KEYS[status];
    if (!keyOf) return;
    const delivery = await c.deliveries.findOne({ _id: deliveryId });
    if (delivery?.status !== status) return;
    await insertEntry({ _id: keyOf(delivery), ref: delivery._id });
  }

  async function insertEntry(entry: EntryDoc): Promise<void> {
    try {
      await entries.insertOne(entry);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /**
   * Drops a status entry whose delivery moved on. Read again after the delete: a writer that set the
   * status again in between and found the entry still there (a duplicate) would otherwise lose it.
   */
  async function dropStale(entry: EntryDoc, status: DeliveryStatus): Promise<void> {
    await entries.deleteOne({ _id: entry._id });
    const now = await c.deliveries.findOne({ _id: entry.ref });
    if (now?.status === status) await insertEntry(entry);
  }

  /** The deliveries still in `status` among a status scope's entries, in key order, after `after`. */
  async function liveStatusPage(status: DeliveryStatus, range: { $gte: string; $lt: string }, after: string | undefined, limit: number) {
    const live: DeliveryDoc[] = [];
    let lastKey: string | undefined;
    for (;;) {
      const chunk = limit + 1 - live.length;
      const found = await readEntries(entries, { range, after, ascending: true, limit: chunk });
      const docs = await byIds(
        c.deliveries,
        found.map((e) => e.ref),
      );
      for (const [i, doc] of docs.entries()) {
        const entry = found[i] as EntryDoc;
        if (doc?.status === status) {
          live.push(doc);
          if (live.length <= limit) lastKey = entry._id;
        } else {
          await dropStale(entry, status);
        }
      }
      if (found.length < chunk || live.length > limit) break;
      after = found.at(-1)?._id;
    }
    return { docs: live.slice(0, limit), more: live.length > limit, lastKey };
  }

  return {
    /** Inserts the records that do not exist yet; existing ones (a retried publish) are left alone. */
    async insertMany(deliveries: DeliveryDoc[]): Promise<void> {
      await this.insertNew(deliveries);
    },

    /** Like insertMany, and answers the ids of the records that already existed (a retried fan-out page). */
    async insertNew(deliveries: DeliveryDoc[]): Promise<Set<string>> {
      // Queued in one turn, so that they go in one command (with whatever other publishes queued). An
      // entry that exists already (a retried publish) is fine.
      const made = deliveries.map(deliveryEntries);
      const [outcomes, entryOutcomes] = await Promise.all([
        Promise.all(deliveries.map((delivery) => inserts.insert(delivery))),
        Promise.all(made.map((list) => Promise.all(list.map((entry) => inserts.insert(entry))))),
      ]);
      const existing = new Set(deliveries.filter((_, i) => outcomes[i] === 'duplicate').map((delivery) => delivery._id));
      // A delivery that existed already keeps its entries: those made now carry this call's time.
      const stray = made.flatMap((list, i) => (outcomes[i] === 'duplicate' ? newlyInserted(list, entryOutcomes[i] ?? []) : []));
      if (stray.length > 0) await deleteByIds(entries, stray);
      return existing;
    },

    /** Scoped by account: another account's delivery is not found. (By `_id` alone: FerretDB scans for anything else.) */
    async get(accountId: string, deliveryId: string): Promise<DeliveryDoc | null> {
      const delivery = await c.deliveries.findOne({ _id: deliveryId });
      return delivery?.account_id === accountId ? delivery : null;
    },

    byId(deliveryId: string): Promise<DeliveryDoc | null> {
      return c.deliveries.findOne({ _id: deliveryId });
    },

    /**
     * Newest first unless `ascending`; `next` is the cursor of the following page, null at the end.
     * Through the entries of the narrowest scope given (event, webhook, account); a status filter is
     * applied to the records, so such a page may come back short, with a cursor (see entry-scan.ts).
     */
    async list(accountId: string, q: DeliveryListQuery): Promise<{ deliveries: DeliveryDoc[]; next: TimeCursor | null }> {
      const matches = (d: DeliveryDoc) =>
        d.account_id === accountId &&
        (!q.webhook_id || d.webhook_id === q.webhook_id) &&
        (!q.event_id || d.event_id === q.event_id) &&
        (!q.status || d.status === q.status);
      const cursorOf = (d: DeliveryDoc): TimeCursor => ({ at: d.created_at, id: d._id });
      if (q.event_id) return { ...(await eventPage(c, accountId, q, matches, cursorOf)) };
      let foreign = false;
      const { items, next } = await scanScope<DeliveryDoc>({
        scope: q.webhook_id ? ['w', q.webhook_id] : ['a', accountId],
        since: q.since,
        until: q.until,
        after: q.after,
        ascending: q.ascending,
        limit: q.limit,
        docs: c.deliveries,
        cursorOf,
        keep: q.status
          ? (d) => {
              // Another account's webhook: every one of its deliveries is that account's.
              if (d.account_id !== accountId) foreign = true;
              return !foreign && matches(d);
            }
          : undefined,
      });
      if (foreign || items.some((d) => d.account_id !== accountId)) return { deliveries: [], next: null };
      return { deliveries: items, next };
    },

    /** Counted on the webhook's failed entries (one left behind by a replay counts until it is read). */
    countFailed(q: FailedQuery): Promise<number> {
      return entries.countDocuments({ _id: scopeRange(['f', q.webhookId], q) });
    },

    /** The next failed deliveries after `after`, oldest event first (the order they were published). */
    async failedPage(
      q: FailedQuery,
      after: TimeCursor | null,
      limit: number,
    ): Promise<{ deliveries: DeliveryDoc[]; next: TimeCursor | null }> {
      const from = after ? entryKey('f', q.webhookId, after.at, after.id) : undefined;
      const { docs, more } = await liveStatusPage('failed', scopeRange(['f', q.webhookId], q), from, limit);
      const last = docs.at(-1);
      return { deliveries: docs, next: more && last ? { at: last.event_created_at, id: last._id } : null };
    },

    /**
     * `handoff` (see DeliveryDoc.handoff and activities/first-attempts.ts), for a first attempt begun before
     * its workflow: the outcome is left for the workflow to adopt (`run`: already adopted by that run);
     * null clears the claim. Written in the same update as the attempt.
     */
    async recordAttempt(
      deliveryId: string,
      attempt: AttemptDoc,
      status: DeliveryStatus,
      nextAttemptAt: Date | null,
      handoff?: HandoffWrite | null,
    ): Promise<void> {
      await c.deliveries.updateOne(
        { _id: deliveryId },
        {
          $push: { attempts: attempt },
          $set: { status, next_attempt_at: nextAttemptAt, updated_at: new Date(), ...(handoff ? handoffFields(handoff) : {}) },
          ...(handoff === null ? { $unset: { handoff: '' } } : {}),
        },
      );
      await noteStatus(deliveryId, status);
    },

    /** Leaves a first attempt's outcome that recorded no attempt (parked, deferred, cancelled) for its workflow. */
    async leaveHandoff(deliveryId: string, handoff: HandoffWrite): Promise<void> {
      await c.deliveries.updateOne({ _id: deliveryId }, { $set: handoffFields(handoff) });
    },

    /** Marks the outcome left on the record as adopted by `run` (its taker had it without a read). */
    async markHandoffTaken(deliveryId: string, run: string): Promise<void> {
      await c.deliveries.updateOne({ _id: deliveryId }, { $set: { handoff_run: run } });
    },

    /** Removes the delivery's first-attempt claim (its beginner failed, or is taken to have died). */
    async clearHandoff(deliveryId: string): Promise<void> {
      await c.deliveries.updateOne({ _id: deliveryId }, { $unset: { handoff: '' } });
    },

    /**
     * The delivery's first attempt as the workflow run `run` finds it: `made` (adopted by this run, marked
     * so on the first read), `begun` (claimed, not recorded yet: since the record was made) or `none`
     * (nothing begun, or adopted by another run already: a reset's new run attempts itself).
     */
    async takeHandoff(deliveryId: string, run: string): Promise<Handoff> {
      const doc = await c.deliveries.findOne(
        { _id: deliveryId },
        { projection: { handoff: 1, handoff_run: 1, next_attempt_at: 1, created_at: 1 } },
      );
      if (!doc || doc.handoff === undefined) return { state: 'none' };
      if (doc.handoff === null) return { state: 'begun', since: doc.created_at };
      if (doc.handoff_run !== undefined && doc.handoff_run !== run) return { state: 'none' };
      if (doc.handoff_run === undefined) await c.deliveries.updateOne({ _id: deliveryId }, { $set: { handoff_run: run } });
      return { state: 'made', outcome: doc.handoff, nextAttemptAt: doc.next_attempt_at };
    },

    /** A webhook's parked deliveries in the order their events were published. */
    async parked(webhookId: string, limit: number): Promise<ParkedDelivery[]> {
      const { docs } = await liveStatusPage('parked', scopeRange(['p', webhookId]), undefined, limit);
      return docs.map(({ _id, workflow_id, event_id, event_created_at }) => ({ _id, workflow_id, event_id, event_created_at }));
    },

    /** Counted on the webhook's parked entries (one left behind by a release counts until it is read). */
    countParked(webhookId: string): Promise<number> {
      return entries.countDocuments({ _id: scopeRange(['p', webhookId]) });
    },

    /**
     * Every parked delivery of every webhook (`herald_parked_deliveries`): counted on the parked entries,
     * an `_id` range, the one filter FerretDB pushes down (one left behind by a release counts until read).
     */
    countAllParked(): Promise<number> {
      return entries.countDocuments({ _id: scopeRange(['p']) });
    },

    /**
     * `was`: the record before, when the caller has it (a replay): its failed or parked entry goes now
     * instead of when a reader meets it (`deliveries.recover` counts entries).
     */
    async setStatus(deliveryId: string, status: DeliveryStatus, nextAttemptAt: Date | null = null, was?: DeliveryDoc): Promise<void> {
      await c.deliveries.updateOne({ _id: deliveryId }, { $set: { status, next_attempt_at: nextAttemptAt, updated_at: new Date() } });
      const left = was && was.status !== status ? statusEntry(was) : null;
      if (left) await entries.deleteOne({ _id: left._id });
      await noteStatus(deliveryId, status);
    },

    /**
     * Retention: deletes up to `limit` deliveries (their attempts are embedded) created before `before`,
     * oldest first, with their index entries; found through the time-keyed retention entries.
     */
    async deleteOlderThan(before: Date, limit: number): Promise<number> {
      const found = await readEntries(entriesIn<RetentionEntryDoc>(c.deliveries), {
        range: { $gte: scopeRange(['r']).$gte, $lt: entryKey('r', before) },
        ascending: true,
        limit,
      });
      if (found.length === 0) return 0;
      // The retention entry last: if this dies half way, the next run finds the delivery again.
      const located = found.map((e): Located => ({ ...e.loc, _id: e.ref }));
      await deleteByIds(
        c.deliveries,
        located.flatMap((d) => allIds(d).filter((id) => !id.startsWith('~r|'))),
      );
      await deleteByIds(
        c.deliveries,
        found.map((e) => e._id),
      );
      return found.length;
    },
  };
}

/** Deliveries of one event: its entries are as many as the webhooks it matched, read whole and sorted here. */
async function eventPage(
  c: Collections,
  accountId: string,
  q: DeliveryListQuery,
  matches: (d: DeliveryDoc) => boolean,
  cursorOf: (d: DeliveryDoc) => TimeCursor,
): Promise<{ deliveries: DeliveryDoc[]; next: TimeCursor | null }> {
  const found = await readEntries(entriesIn(c.deliveries), {
    range: scopeRange(['e', accountId, q.event_id as string]),
    ascending: true,
    limit: 0,
  });
  const direction = q.ascending ? 1 : -1;
  const order = (a: TimeCursor, b: TimeCursor) => direction * (a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const docs = (
    await byIds(
      c.deliveries,
      found.map((e) => e.ref),
    )
  )
    .filter((d): d is DeliveryDoc => d !== null && matches(d))
    .filter((d) => (!q.since || d.created_at >= q.since) && (!q.until || d.created_at < q.until))
    .filter((d) => !q.after || order(cursorOf(d), q.after) > 0)
    .sort((a, b) => order(cursorOf(a), cursorOf(b)));
  const more = docs.length > q.limit;
  const page = docs.slice(0, q.limit);
  const last = page.at(-1);
  return { deliveries: page, next: more && last ? cursorOf(last) : null };
}

export type DeliveriesRepo = ReturnType<typeof createDeliveriesRepo>;
