// Reading a page through index entries (index-keys.ts): one `_id` range query per chunk of entries,
// then the documents they point to, in one `_id: {$in}` query (both indexed on MongoDB and on Herald's
// FerretDB build). Filters the scope's key does not cover are applied to the documents; such a page reads at
// most `maxScan` entries and may come back short, with a cursor to go on from (its answer is still
// correct page by page: nothing skipped, nothing twice).
import type { Collection, Document, Filter } from 'mongodb';
import { entryKey, scopeRange } from './index-keys.js';
import type { InsertOutcome } from './insert-batcher.js';
import type { TimeCursor, TimeWindow } from './time-cursor.js';

/** An entry's `_id`; `ref` is the `_id` of the document it points to. */
export interface EntryDoc {
  _id: string;
  ref: string;
}

/** The index entries kept in a collection of other documents (they share it: see index-keys.ts). */
export function entriesIn<E extends EntryDoc = EntryDoc>(collection: Pick<Collection, 'collectionName'>): Collection<E> {
  return collection as unknown as Collection<E>;
}

export interface RangeQuery {
  range: { $gte: string; $lt: string };
  /** An entry key: the entries after it in the read order. */
  after?: string;
  ascending: boolean;
  limit: number;
}

/** One `_id` range, sorted by `_id`, limited: the query both servers answer from their `_id` index. */
export function readEntries<E extends EntryDoc>(entries: Collection<E>, q: RangeQuery): Promise<E[]> {
  const bounds: Record<string, string> = { ...q.range };
  if (q.after !== undefined) {
    if (q.ascending) bounds.$gt = q.after;
    // Read descending, `after` is inside the range: below its upper bound.
    else bounds.$lt = q.after;
  }
  return entries
    .find({ _id: bounds } as Filter<E>)
    .sort({ _id: q.ascending ? 1 : -1 })
    .limit(q.limit)
    .toArray() as Promise<E[]>;
}

/** Documents by `_id`, in the given order (null where one is gone): one `$in` on `_id`, indexed too. */
export async function byIds<T extends { _id: string }>(collection: Collection<T>, ids: string[]): Promise<(T | null)[]> {
  if (ids.length === 0) return [];
  const found = (await collection.find({ _id: { $in: ids } } as Filter<T>).toArray()) as T[];
  const byId = new Map(found.map((doc) => [doc._id, doc]));
  return ids.map((id) => byId.get(id) ?? null);
}

export interface ScanQuery<T extends Document> extends TimeWindow {
  /** The scope's key parts before the time (`['w', webhookId]`); each entry's last part is the cursor id. */
  scope: string[];
  after?: TimeCursor;
  ascending: boolean;
  limit: number;
  docs: Collection<T>;
  /** Filters the key does not cover; absent = every document of the scope. */
  keep?: (doc: T) => boolean;
  /** The cursor of a document: its time and the id in its entries' last part. */
  cursorOf: (doc: T) => TimeCursor;
  /** Entries read at most for one page when `keep` drops documents. */
  maxScan?: number;
}

export const DEFAULT_MAX_SCAN = 500;

/** A page of the scope's documents in time order; `next` continues after the last entry read. */
export async function scanScope<T extends { _id: string }>(q: ScanQuery<T>): Promise<{ items: T[]; next: TimeCursor | null }> {
  const entries = entriesIn(q.docs);
  const range = scopeRange(q.scope, q);
  const items: T[] = [];
  const maxScan = q.keep ? (q.maxScan ?? DEFAULT_MAX_SCAN) : Number.POSITIVE_INFINITY;
  let after = q.after ? entryKey(...q.scope, q.after.at, q.after.id) : undefined;
  let scanned = 0;
  for (;;) {
    // One more than the page, to know whether there is a next one.
    const want = q.limit + 1 - items.length;
    // Filtered: a few pages' worth at once, so that a filter keeping one in five still takes one round.
    const chunk = q.keep ? Math.min(Math.max(want * 5, 50), maxScan - scanned) : want;
    const found = await readEntries(entries, { range, after, ascending: q.ascending, limit: chunk });
    const docs = await byIds(
      q.docs,
      found.map((e) => e.ref),
    );
    for (const doc of docs) {
      if (doc && (!q.keep || q.keep(doc))) items.push(doc);
    }
    scanned += found.length;
    const last = found.at(-1);
    if (found.length < chunk || !last) break;
    after = last._id;
    if (items.length > q.limit) break;
    if (scanned >= maxScan) {
      // Short page: go on from the last entry read (its key holds the time and the id).
      const page = items.slice(0, q.limit);
      return { items: page, next: cursorOfKey(last._id) };
    }
  }
  const more = items.length > q.limit;
  const page = more ? items.slice(0, q.limit) : items;
  const end = page.at(-1);
  return { items: page, next: more && end ? q.cursorOf(end) : null };
}

/** The time and id of an entry key `~…|<time>|<id>`. */
export function cursorOfKey(key: string): TimeCursor {
  const parts = key.split('|');
  return { at: new Date(Number(parts[parts.length - 2])), id: decodeURIComponent(parts[parts.length - 1] ?? '') };
}

/** The ids of the entries this call inserted (not those that existed already). */
export function newlyInserted(entries: EntryDoc[], outcomes: InsertOutcome[]): string[] {
  return entries.filter((_, i) => outcomes[i] === 'inserted').map((e) => e._id);
}
