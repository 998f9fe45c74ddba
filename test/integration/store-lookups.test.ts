// The store's lookups by `_id` (the only filter FerretDB answers from an index): API keys authenticate
// through their hash entries, kept in step with revocation, and a key a process knows is checked against
// its account's version alone (a second store on the same database stands for another process); a
// webhook's statistics exist from its creation and go with it; other accounts' objects stay not found.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/store/accounts-repo.js';
import { createStore, type Store } from '../../src/store/index.js';
import { connectMongo, type Mongo } from '../../src/store/mongo.js';
import { NO_STATS } from '../../src/store/webhook-stats-repo.js';

const database = `herald_test_lookups_${randomBytes(4).toString('hex')}`;
let mongo: Mongo;
let store: Store;
beforeAll(async () => {
  mongo = await connectMongo(inject('mongodbUri'), database);
  store = createStore(mongo);
});
afterAll(async () => {
  await store?.dropDatabase();
  await mongo?.close();
});

const webhookInput = {
  url: 'https://example.com/hook',
  event_types: ['message.received' as const],
  inbox_ids: [],
  pod_ids: [],
  name: null,
  client_id: null,
  enabled: true,
};

it('authenticates a key until it is revoked, from an entry that holds only its hash', async () => {
  const { account, apiKey, key } = await store.accounts.create('one');
  expect((await store.accounts.authenticate(apiKey))?.accountId).toBe(account._id);
  const entry = await mongo.collections.apiKeyHashes.findOne({ _id: hashApiKey(apiKey) });
  expect(entry).toEqual({ _id: key.key_hash, account_id: account._id, key_id: key._id });
  expect(JSON.stringify(entry)).not.toContain(apiKey);

  expect(await store.accounts.authenticate(generateApiKey())).toBeNull();
  // Another account cannot see or revoke it.
  const other = await store.accounts.create('two');
  expect(await store.accounts.getApiKey(other.account._id, key._id)).toBeNull();
  expect(await store.accounts.revokeApiKey(other.account._id, key._id)).toBeNull();
  expect((await store.accounts.authenticate(apiKey))?.accountId).toBe(account._id);

  const revoked = await store.accounts.revokeApiKey(account._id, key._id);
  expect(revoked?.revoked_at).toBeInstanceOf(Date);
  expect(await store.accounts.authenticate(apiKey)).toBeNull();
});

it('stops a key revoked through another process at its next request in this one', async () => {
  const second = await connectMongo(inject('mongodbUri'), database);
  try {
    const other = createStore(second);
    const { account, apiKey, key } = await store.accounts.create('revoked elsewhere');
    // Known to this process: authenticated again from its copy.
    expect((await store.accounts.authenticate(apiKey))?.accountId).toBe(account._id);
    expect((await store.accounts.authenticate(apiKey))?.accountId).toBe(account._id);
    await other.accounts.revokeApiKey(account._id, key._id);
    expect(await store.accounts.authenticate(apiKey)).toBeNull();
  } finally {
    await second.close();
  }
});

it('checks a key it knows against the account version only, and looks it up again once that moves', async () => {
  const { account, apiKey } = await store.accounts.create('known key');
  const first = await store.accounts.authenticate(apiKey);
  expect(first?.accountId).toBe(account._id);
  // Its entry gone behind the store's back (no revocation, so the version did not move): still known.
  await mongo.collections.apiKeyHashes.deleteOne({ _id: hashApiKey(apiKey) });
  expect(await store.accounts.authenticate(apiKey)).toEqual(first);
  // Any change of the account moves the version (here a webhook): the key is looked up, and is gone.
  await store.webhooks.create(account._id, webhookInput);
  expect(await store.accounts.authenticate(apiKey)).toBeNull();
});

it("creates a webhook's statistics with it and deletes them with it; other accounts do not find it", async () => {
  const { account } = await store.accounts.create('hooks');
  const other = await store.accounts.create('other');
  const { webhook } = await store.webhooks.create(account._id, webhookInput);
  expect(await store.webhookStats.get(webhook._id)).toEqual({ _id: webhook._id, ...NO_STATS });
  expect(await store.webhookStats.record(webhook._id, false, 'boom', new Date())).toEqual({
    seq: 1,
    failureCount: 1,
    previousFailureCount: 0,
  });

  expect(await store.webhooks.get(other.account._id, webhook._id)).toBeNull();
  expect(await store.webhooks.change(webhook._id, other.account._id, () => ({ name: 'taken' }))).toBeNull();
  expect(await store.webhooks.delete(other.account._id, webhook._id)).toBeNull();
  expect((await store.webhooks.get(account._id, webhook._id))?.name).toBeNull();

  const stats = await store.webhookStats.forWebhooks([webhook._id, 'wh_missing']);
  expect([...stats.keys()]).toEqual([webhook._id]);

  expect((await store.webhooks.delete(account._id, webhook._id))?._id).toBe(webhook._id);
  expect(await store.webhookStats.get(webhook._id)).toBeNull();
  // An attempt finishing after the deletion does not make them again.
  expect(await store.webhookStats.record(webhook._id, true, null, new Date())).toBeNull();
  expect(await store.webhookStats.get(webhook._id)).toBeNull();
});

it('still makes the statistics on the first attempt of a webhook created without them', async () => {
  const { account } = await store.accounts.create('legacy');
  const { webhook } = await store.webhooks.create(account._id, webhookInput);
  await mongo.collections.webhookStats.deleteOne({ _id: webhook._id });
  expect(await store.webhookStats.record(webhook._id, true, null, new Date())).toEqual({
    seq: 1,
    failureCount: 0,
    previousFailureCount: 0,
  });
  expect((await store.webhookStats.get(webhook._id))?.health_seq).toBe(1);
});

it('scopes deliveries by account', async () => {
  const { account } = await store.accounts.create('deliveries');
  const other = await store.accounts.create('not theirs');
  const now = new Date();
  const delivery = {
    _id: `dlv_${randomBytes(6).toString('hex')}`,
    account_id: account._id,
    webhook_id: 'wh_x',
    event_id: 'evt_x',
    event_type: 'message.received' as const,
    event_created_at: now,
    status: 'pending' as const,
    attempts: [],
    next_attempt_at: null,
    workflow_id: 'w',
    created_at: now,
    updated_at: now,
  };
  await store.deliveries.insertMany([delivery]);
  // A retried publish: the existing record is left alone.
  await store.deliveries.insertMany([{ ...delivery, status: 'failed' }]);
  expect((await store.deliveries.get(account._id, delivery._id))?.status).toBe('pending');
  expect(await store.deliveries.get(other.account._id, delivery._id)).toBeNull();
});
