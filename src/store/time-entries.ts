// Retention by age for collections whose documents are looked up by an `_id` that has no time in it
// (Idempotency-Key records, replay claims): an entry `~t|<created_at>|<id>` beside each document, in
// its collection, so that the purge reads the oldest ones as one `_id` range (indexed on MongoDB and
// on Herald's FerretDB build) instead of a filter on `created_at`, which FerretDB answers by reading
// the whole collection.
//
// The entry is made before its document (or before the document is taken over with a new
// `created_at`): a document always has an entry at its current time. The purge deletes a document only
// when its `created_at` is still before the cut-off (one taken over since has a newer entry), and then
// the entries it read; entries whose document is gone are just deleted.
import type { Collection } from 'mongodb';
import { byIds, type EntryDoc, entriesIn, readEntries } from './entry-scan.js';
import { entryKey, keyPart, scopeRange } from './index-keys.js';
import { deleteByIds, isDuplicateKey } from './mongo.js';

type Dated = { _id: string; created_at: Date };

export function timeEntry(id: string, createdAt: Date): EntryDoc {
  return { _id: entryKey('t', createdAt, keyPart(id)), ref: id };
}

export async function addTimeEntry<T extends Dated>(collection: Collection<T>, id: string, createdAt: Date): Promise<void> {
  try {
    await entriesIn(collection).insertOne(timeEntry(id, createdAt));
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

/** Deletes the documents created before `before` through at most `limit` entries; answers the entries read. */
export async function deleteCreatedBefore<T extends Dated>(collection: Collection<T>, before: Date, limit: number): Promise<number> {
  const found = await readEntries(entriesIn(collection), {
    range: { $gte: scopeRange(['t']).$gte, $lt: entryKey('t', before) },
    ascending: true,
    limit,
  });
  if (found.length === 0) return 0;
  const docs = await byIds(
    collection,
    found.map((e) => e.ref),
  );
  const expired = docs.filter((d): d is T => d !== null && d.created_at < before).map((d) => d._id);
  // Documents first: if this dies half way, the next run finds them again through their entries.
  await deleteByIds(collection, expired);
  await deleteByIds(
    collection,
    found.map((e) => e._id),
  );
  return found.length;
}
