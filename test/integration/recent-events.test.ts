// The copy of a just-stored event (src/store/recent-events.ts): served while fresh, read again after.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createEventsRepo } from '../../src/store/events-repo.js';
import { connectMongo, type Mongo } from '../../src/store/mongo.js';
import { withRecentEvents } from '../../src/store/recent-events.js';

let mongo: Mongo;
beforeAll(async () => {
  mongo = await connectMongo(inject('mongodbUri'), `herald_test_recent_${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  await mongo?.db.dropDatabase();
  await mongo?.close();
});

const event = (id: string) => ({
  id,
  account_id: 'acc_1',
  type: 'message.sent' as const,
  inbox_id: null,
  pod_id: null,
  data: { n: 1 },
  created_at: new Date(),
});

it('serves an event it stored from its copy until the copy expires, then reads the store', async () => {
  let now = 0;
  const events = withRecentEvents(createEventsRepo(mongo.collections), { ttlMs: 1_000, now: () => now });
  await events.insert(event('evt_a'));
  // Gone from the store, so only the copy can answer.
  await mongo.collections.events.deleteMany({});
  expect((await events.forDelivery('acc_1', 'evt_a'))?.data).toEqual({ n: 1 });
  expect(await events.forDelivery('acc_2', 'evt_a')).toBeNull();
  now = 1_000;
  expect(await events.forDelivery('acc_1', 'evt_a')).toBeNull();
});

it('keeps at most maxEvents copies, dropping the oldest', async () => {
  const events = withRecentEvents(createEventsRepo(mongo.collections), { maxEvents: 2 });
  for (const id of ['evt_1', 'evt_2', 'evt_3']) await events.insert(event(id));
  await mongo.collections.events.deleteMany({});
  expect(await events.forDelivery('acc_1', 'evt_1')).toBeNull();
  expect(await events.forDelivery('acc_1', 'evt_2')).not.toBeNull();
  expect(await events.forDelivery('acc_1', 'evt_3')).not.toBeNull();
});
