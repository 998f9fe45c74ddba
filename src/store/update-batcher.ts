// Group commit for updates of one document by `_id` (see group-commit.ts): consecutive updateOne
// operations of one unordered bulkWrite travel as a single `update` command. FerretDB still applies
// each by its `_id`, the filter it can look up by index.
//
// One refused statement fails every caller of its batch: FerretDB 1.24 stops an unordered update batch
// at the first refused statement and reports it at the wrong index, so no per-statement outcome can be
// trusted. Herald's updates are not refused one by one (they set fields of its own documents); what
// fails is the command as a whole, and then every caller must hear of it anyway. Keep batches short on
// FerretDB: it holds one SQLite connection per statement until the command ends (a pool of 100).
import type { Collection, Filter, UpdateFilter } from 'mongodb';
import { createGroupCommit, type GroupCommitOptions } from './group-commit.js';

export interface UpdateBatcher<T> {
  /** Resolves once the update was applied (or matched nothing); rejects if its batch failed. */
  update(id: string, update: UpdateFilter<T>): Promise<void>;
}

export function createUpdateBatcher<T extends { _id: string }>(collection: Collection<T>, options?: GroupCommitOptions): UpdateBatcher<T> {
  const commit = createGroupCommit<{ id: string; update: UpdateFilter<T> }, undefined>(async (items) => {
    await collection.bulkWrite(
      items.map(({ id, update }) => ({ updateOne: { filter: { _id: id } as Filter<T>, update } })),
      { ordered: false },
    );
    return items.map(() => ({ ok: true, value: undefined }));
  }, options);
  return { update: (id, update) => commit({ id, update }) };
}
