// Group commit for inserts that many concurrent requests make one document at a time (every publish
// stores its event and its delivery records). One insertMany of n documents costs FerretDB and the
// driver a fraction of n insertOne commands, so while one insertMany is in flight the documents that
// arrive queue up, and all of them go in the next one. No timer: an idle batcher sends at once (a
// document waits at most for the command before it), and a busy one sends bigger batches.
import { type Collection, MongoBulkWriteError, MongoServerError, type OptionalUnlessRequiredId } from 'mongodb';

/** A document's outcome: stored now, or refused because one with its `_id` (or unique key) exists. */
export type InsertOutcome = 'inserted' | 'duplicate';

export interface InsertBatcher<T> {
  /** Resolves when the document is stored or found to exist; rejects with its own write error, or the batch's. */
  insert(doc: T): Promise<InsertOutcome>;
}

interface Pending<T> {
  doc: T;
  resolve: (outcome: InsertOutcome) => void;
  reject: (error: unknown) => void;
}

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
}

export function createInsertBatcher<T extends { _id: string }>(collection: Collection<T>, { maxBatch = 500 } = {}): InsertBatcher<T> {
  let queue: Pending<T>[] = [];
  let running = false;

  async function send(batch: Pending<T>[]): Promise<void> {
    try {
      // Unordered: one document's error does not keep the others out.
      await collection.insertMany(
        batch.map((p) => p.doc as OptionalUnlessRequiredId<T>),
        { ordered: false },
      );
      for (const p of batch) p.resolve('inserted');
    } catch (error) {
      const writeErrors = perDocumentErrors(error);
      if (!writeErrors) {
        // The command as a whole failed (connection, server): nothing is known to be stored.
        for (const p of batch) p.reject(error);
        return;
      }
      const failed = new Map(writeErrors.map((e) => [e.index, e]));
      batch.forEach((p, index) => {
        const e = failed.get(index);
        if (!e) p.resolve('inserted');
        else if (e.code === 11000) p.resolve('duplicate');
        else p.reject(new MongoServerError({ message: e.errmsg ?? `insert failed (code ${e.code})`, code: e.code }));
      });
    }
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await send(batch);
      }
    } finally {
      running = false;
    }
  }

  return {
    insert(doc) {
      return new Promise<InsertOutcome>((resolve, reject) => {
        queue.push({ doc, resolve, reject });
        if (running) return;
        running = true;
        // A microtask, not a timer: the documents queued in this same turn (one caller's several, or
        // callers resumed together) share the first command, and nothing waits on a clock.
        queueMicrotask(() => void drain());
      });
    },
  };
}

/** The per-document errors of an unordered insertMany; undefined when the command itself failed. */
function perDocumentErrors(error: unknown): WriteErrorLike[] | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const raw = error.writeErrors as unknown;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as WriteErrorLike[];
  if (list.length === 0) return undefined;
  // A write concern error would leave the stored ones unconfirmed: then it is the batch's failure.
  if (error.result?.getWriteConcernError?.()) return undefined;
  return list;
}
