// Group commit for inserts that many concurrent requests make one document at a time (every publish
// stores its event and its delivery records): one insertMany of n documents costs FerretDB and the
// driver a fraction of n insertOne commands (see group-commit.ts).
import { type Collection, MongoBulkWriteError, MongoServerError, type OptionalUnlessRequiredId } from 'mongodb';
import { createGroupCommit, type GroupCommitOptions, type ItemOutcome } from './group-commit.js';
import { bulkWriteErrors, type WriteErrorLike } from './mongo.js';

/** A document's outcome: stored now, or refused because one with its `_id` (or unique key) exists. */
export type InsertOutcome = 'inserted' | 'duplicate';

export interface InsertBatcher<T> {
  /** Resolves when the document is stored or found to exist; rejects with its own write error, or the batch's. */
  insert(doc: T): Promise<InsertOutcome>;
}

export function createInsertBatcher<T extends { _id: string }>(collection: Collection<T>, options?: GroupCommitOptions): InsertBatcher<T> {
  const insert = createGroupCommit<T, InsertOutcome>(async (docs) => {
    try {
      // Unordered: one document's error does not keep the others out.
      await collection.insertMany(
        docs.map((doc) => doc as OptionalUnlessRequiredId<T>),
        { ordered: false },
      );
      return docs.map(() => ({ ok: true, value: 'inserted' }));
    } catch (error) {
      // Per document when the server refused some; rethrown when the command as a whole failed
      // (connection, server): then nothing is known to be stored.
      return perDocumentOutcomes(error, docs.length);
    }
  }, options);
  return { insert };
}

/** Each document's outcome after an unordered insertMany failed for some of them; rethrows `error` if it failed as a whole. */
function perDocumentOutcomes(error: unknown, count: number): ItemOutcome<InsertOutcome>[] {
  const writeErrors = perDocumentErrors(error);
  if (!writeErrors) throw error;
  const failed = new Map(writeErrors.map((e) => [e.index, e]));
  return Array.from({ length: count }, (_, index): ItemOutcome<InsertOutcome> => {
    const e = failed.get(index);
    if (!e) return { ok: true, value: 'inserted' };
    if (e.code === 11000) return { ok: true, value: 'duplicate' };
    return { ok: false, error: new MongoServerError({ message: e.errmsg ?? `insert failed (code ${e.code})`, code: e.code }) };
  });
}

/** The per-document errors of an unordered bulk write; undefined when the command itself failed. */
function perDocumentErrors(error: unknown): WriteErrorLike[] | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const list = bulkWriteErrors(error);
  if (list.length === 0) return undefined;
  // A write concern error would leave the stored ones unconfirmed: then it is the batch's failure.
  if (error.result?.getWriteConcernError?.()) return undefined;
  return list;
}
