// Matching from per-process copies (src/store/webhook-matcher.ts): two stores on one database stand for
// two Herald processes; a webhook written through one is matched at once by the other.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { connectMongo, type Mongo } from '../../src/store/mongo.js';
import { subscribes } from '../../src/store/webhook-matcher.js';

let mongos: Mongo[] = [];
let api: Store;
let other: Store;
beforeAll(async () => {
  const database = `herald_test_matcher_${randomBytes(4).toString('hex')}`;
  mongos = await Promise.all([connectMongo(inject('mongodbUri'), database), connectMongo(inject('mongodbUri'), database)]);
  api = createStore(mongos[0] as Mongo);
  other = createStore(mongos[1] as Mongo);
});
afterAll(async () => {
  await api?.dropDatabase();
  await Promise.all(mongos.map((mongo) => mongo.close()));
});

const hook = { url: 'https://example.com/hook', inbox_ids: [], pod_ids: [], name: null, client_id: null, enabled: true };
const sent = (accountId: string, inbox_id: string | null = null) =>
  ({ account_id: accountId, type: 'message.sent', inbox_id, pod_id: null }) as const;
const ids = (webhooks: { _id: string }[]) => webhooks.map((w) => w._id);

it('sees webhooks created, edited and deleted by another process on the next publish', async () => {
  const account = `acc_${randomBytes(4).toString('hex')}`;
  expect(await other.webhooks.matching(sent(account), false)).toEqual([]);

  const { webhook: a } = await api.webhooks.create(account, { ...hook, event_types: ['message.sent'] });
  expect(ids(await other.webhooks.matching(sent(account), false))).toEqual([a._id]);

  const { webhook: b } = await api.webhooks.create(account, { ...hook, event_types: ['message.received'] });
  await api.webhooks.change(b._id, account, () => ({ event_types: ['message.received', 'message.sent'], inbox_ids: ['inb_1'] }));
  expect(ids(await other.webhooks.matching(sent(account, 'inb_1'), false))).toEqual([a._id, b._id]);
  expect(ids(await other.webhooks.matching(sent(account, 'inb_2'), false))).toEqual([a._id]);

  await api.webhooks.delete(account, a._id);
  expect(ids(await other.webhooks.matching(sent(account, 'inb_1'), false))).toEqual([b._id]);
});

it('pages in id order after a cursor, never mixing accounts', async () => {
  const account = `acc_${randomBytes(4).toString('hex')}`;
  const created = [];
  for (let i = 0; i < 5; i++) created.push((await api.webhooks.create(account, { ...hook, event_types: ['message.sent'] })).webhook._id);
  await api.webhooks.create(`acc_${randomBytes(4).toString('hex')}`, { ...hook, event_types: ['message.sent'] });
  const first = await other.webhooks.matching(sent(account), false, { limit: 2 });
  const rest = await other.webhooks.matching(sent(account), false, { after: first.at(-1)?._id });
  expect([...ids(first), ...ids(rest)]).toEqual([...created].sort());
});

it('applies type, scope and the source webhook like the query it replaced', () => {
  const webhook = { _id: 'wh_1', url: 'https://x', event_types: ['message.sent' as const], inbox_ids: ['inb_1'], pod_ids: [] };
  const event = sent('acc');
  expect(subscribes(webhook, event, false)).toBe(true); // no inbox on the event: scope does not apply
  expect(subscribes(webhook, { ...event, inbox_id: 'inb_1' }, false)).toBe(true);
  expect(subscribes(webhook, { ...event, inbox_id: 'inb_2' }, false)).toBe(false);
  expect(subscribes(webhook, { ...event, inbox_id: 'inb_2' }, true)).toBe(true); // account-level events ignore scope
  expect(subscribes(webhook, { ...event, type: 'message.received' }, false)).toBe(false);
  expect(subscribes(webhook, { ...event, source_webhook_id: 'wh_1' }, true)).toBe(false);
  expect(subscribes({ ...webhook, pod_ids: ['pod_1'] }, { ...event, pod_id: 'pod_2' }, false)).toBe(false);
});
