// The insert and update batchers (group commit) against the real MongoDB-protocol server: every caller
// gets its own document's outcome out of the shared commands (stored, already there, or its own error).
import { randomBytes } from 'node:crypto';
import { type Db, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createInsertBatcher } from '../../src/store/insert-batcher.js';
import { createUpdateBatcher } from '../../src/store/update-batcher.js';

interface Doc {
  _id: string;
  n: number;
}

let client: MongoClient;
let db: Db;
beforeAll(async () => {
  client = await MongoClient.connect(inject('mongodbUri'));
  db = client.db(`herald_test_batcher_${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

it('resolves every concurrent caller, sharing insert commands, and stores every document', async () => {
  const monitored = await MongoClient.connect(inject('mongodbUri'), { monitorCommands: true });
  try {
    const sizes: number[] = [];
    monitored.on('commandStarted', (event) => {
      if (event.commandName === 'insert') sizes.push((event.command.documents as unknown[]).length);
    });
    const collection = monitored.db(db.databaseName).collection<Doc>('concurrent');
    const batcher = createInsertBatcher(collection);
    const docs = Array.from({ length: 200 }, (_, n) => ({ _id: `doc_${n}`, n }));
    // Callers arriving over several turns while commands are in flight.
    const outcomes = await Promise.all(
      docs.map(async (doc) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (doc.n % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
        return batcher.insert(doc);
      }),
    );
    expect(outcomes).toEqual(docs.map(() => 'inserted'));
    expect(await collection.countDocuments()).toBe(docs.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(docs.length);
    // Fewer commands than documents: they were grouped.
    expect(sizes.length).toBeLessThan(docs.length / 2);
  } finally {
    await monitored.close();
  }
});

it('tells the callers of existing documents "duplicate" and stores the new ones of the same batch', async () => {
  const collection = db.collection<Doc>('duplicates');
  await collection.insertMany([
    { _id: 'old_1', n: -1 },
    { _id: 'old_2', n: -2 },
  ]);
  const batcher = createInsertBatcher(collection);
  // One turn: one batch holding new documents, existing ones, and the same new id twice.
  const outcomes = await Promise.all([
    batcher.insert({ _id: 'new_1', n: 1 }),
    batcher.insert({ _id: 'old_1', n: 100 }),
    batcher.insert({ _id: 'new_2', n: 2 }),
    batcher.insert({ _id: 'old_2', n: 200 }),
    batcher.insert({ _id: 'new_1', n: 300 }),
    batcher.insert({ _id: 'new_3', n: 3 }),
  ]);
  expect(outcomes).toEqual(['inserted', 'duplicate', 'inserted', 'duplicate', 'duplicate', 'inserted']);
  const stored = await collection.find().sort({ _id: 1 }).toArray();
  expect(stored).toEqual([
    { _id: 'new_1', n: 1 },
    { _id: 'new_2', n: 2 },
    { _id: 'new_3', n: 3 },
    { _id: 'old_1', n: -1 },
    { _id: 'old_2', n: -2 },
  ]);
});

it('rejects only the caller whose document the server refused for another reason', async () => {
  const collection = db.collection<Doc>('refused');
  const batcher = createInsertBatcher(collection);
  // An array is not a valid `_id`: the server refuses that document alone.
  const bad = { _id: ['not', 'an', 'id'], n: 0 } as unknown as Doc;
  const [before, refused, after] = await Promise.allSettled([
    batcher.insert({ _id: 'fine_1', n: 1 }),
    batcher.insert(bad),
    batcher.insert({ _id: 'fine_2', n: 2 }),
  ]);
  expect(before).toEqual({ status: 'fulfilled', value: 'inserted' });
  expect(after).toEqual({ status: 'fulfilled', value: 'inserted' });
  expect(refused.status).toBe('rejected');
  const reason = (refused as PromiseRejectedResult).reason;
  expect(reason).toBeInstanceOf(MongoServerError);
  expect((reason as MongoServerError).code).not.toBe(11000);
  expect(await collection.countDocuments()).toBe(2);
});

it('rejects every caller of a batch whose command failed as a whole, and keeps working afterwards', async () => {
  // An invalid collection name: the server refuses the whole command.
  const batcher = createInsertBatcher(db.collection<Doc>('bad$name'));
  const outcomes = await Promise.allSettled([batcher.insert({ _id: 'a', n: 1 }), batcher.insert({ _id: 'b', n: 2 })]);
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  // A later caller is not stuck behind the failed batch.
  await expect(batcher.insert({ _id: 'c', n: 3 })).rejects.toThrow();
});

/** Sizes of the `update` commands sent through a monitored client while `body` runs. */
async function updateCommandSizes(body: (db: Db) => Promise<void>): Promise<number[]> {
  const monitored = await MongoClient.connect(inject('mongodbUri'), { monitorCommands: true });
  const sizes: number[] = [];
  monitored.on('commandStarted', (event) => {
    if (event.commandName === 'update') sizes.push((event.command.updates as unknown[]).length);
  });
  try {
    await body(monitored.db(db.databaseName));
  } finally {
    await monitored.close();
  }
  return sizes;
}

it("applies every concurrent caller's update, sharing update commands", async () => {
  const docs = Array.from({ length: 100 }, (_, n) => ({ _id: `u_${n}`, n }));
  await db.collection<Doc>('updates').insertMany(docs);
  const sizes = await updateCommandSizes(async (monitoredDb) => {
    const batcher = createUpdateBatcher(monitoredDb.collection<Doc>('updates'));
    await Promise.all(
      docs.map(async (doc) => {
        await new Promise((resolve) => setImmediate(resolve));
        await batcher.update(doc._id, { $inc: { n: 1000 } });
      }),
    );
  });
  const stored = await db.collection<Doc>('updates').find().sort({ n: 1 }).toArray();
  expect(stored.map((d) => d.n)).toEqual(docs.map((d) => d.n + 1000));
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(docs.length);
  expect(sizes.length).toBeLessThan(docs.length / 2);
});

it('with holdMs, sends updates made in separate turns within the hold in one command', async () => {
  await db.collection<Doc>('held').insertMany([
    { _id: 'h_1', n: 1 },
    { _id: 'h_2', n: 2 },
    { _id: 'h_3', n: 3 },
  ]);
  const sizes = await updateCommandSizes(async (monitoredDb) => {
    const batcher = createUpdateBatcher(monitoredDb.collection<Doc>('held'), { holdMs: 200 });
    const first = batcher.update('h_1', { $set: { n: 10 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = batcher.update('h_2', { $set: { n: 20 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([first, second, batcher.update('h_3', { $set: { n: 30 } })]);
  });
  expect(sizes).toEqual([3]);
  expect((await db.collection<Doc>('held').find().sort({ _id: 1 }).toArray()).map((d) => d.n)).toEqual([10, 20, 30]);
});

it('fails every caller of an update batch with a refused statement, and keeps working afterwards', async () => {
  // FerretDB stops such a batch at the refused statement and misreports its index: no caller may be
  // told its update was applied on the strength of that answer.
  await db.collection<Doc>('bad_updates').insertMany([
    { _id: 'b_1', n: 1 },
    { _id: 'b_2', n: 'two' as unknown as number },
    { _id: 'b_3', n: 3 },
  ]);
  const batcher = createUpdateBatcher(db.collection<Doc>('bad_updates'));
  const outcomes = await Promise.allSettled([
    batcher.update('b_1', { $set: { n: 11 } }),
    // $inc of a field that holds a string: refused.
    batcher.update('b_2', { $inc: { n: 1 } }),
    batcher.update('b_3', { $set: { n: 33 } }),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
  await batcher.update('b_3', { $set: { n: 34 } });
  expect((await db.collection<Doc>('bad_updates').findOne({ _id: 'b_3' }))?.n).toBe(34);
});

it('never puts more than maxBatch updates in one command', async () => {
  const docs = Array.from({ length: 7 }, (_, n) => ({ _id: `m_${n}`, n }));
  await db.collection<Doc>('capped').insertMany(docs);
  const sizes = await updateCommandSizes(async (monitoredDb) => {
    const batcher = createUpdateBatcher(monitoredDb.collection<Doc>('capped'), { holdMs: 50, maxBatch: 3 });
    await Promise.all(docs.map((doc) => batcher.update(doc._id, { $set: { n: doc.n + 100 } })));
  });
  expect(sizes).toEqual([3, 3, 1]);
  expect((await db.collection<Doc>('capped').find().sort({ _id: 1 }).toArray()).map((d) => d.n)).toEqual(docs.map((d) => d.n + 100));
});
