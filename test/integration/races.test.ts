// Concurrency attacks from issue 14 on the real stack: requests racing each other where a check and the
// write it guards are separate steps. Each reproduces the attack (it failed on the code before the fix).
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliveryId as deliveryFor, newId } from '../../src/domain/ids.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { type CallResult, type Face, ok, restFace } from '../support/faces.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Reply, startReceiver } from '../support/receiver.js';

const LIMIT = 5;
const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };

let herald: TestHerald;
let rest: Face;
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  herald = await startTestHerald({
    HERALD_MAX_WEBHOOKS_PER_ACCOUNT: String(LIMIT),
    // Two attempts per run keep a failed delivery quick to make.
    HERALD_RETRY_SCHEDULE: '100ms',
    HERALD_UNHEALTHY_AFTER: '1000000',
  });
  rest = restFace(herald.url);
  mongo = await MongoClient.connect(inject('mongodbUri'));
  db = mongo.db(herald.deps.config.mongodb.database);
});
afterAll(async () => {
  await mongo?.close();
  await herald?.stop();
});

const statuses = (results: CallResult[]) => results.map((r) => (r.ok ? 200 : `${r.status} ${r.reason ?? r.name}`)).sort();

describe('API keys: the last active key', () => {
  it('two parallel revocations, each of the other of the last two keys: one wins, one key stays active (5 trials)', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const { apiKey: first, accountId } = await herald.newAccount();
      const second = ok(await rest.call(first, 'api_keys.create', { name: 'second' }));
      const firstId = ok(await rest.call(first, 'api_keys.list')).api_keys.find((k: { id: string }) => k.id !== second.id).id;

      const results = await Promise.all([
        rest.call(first, 'api_keys.revoke', { api_key_id: second.id }),
        rest.call(second.api_key, 'api_keys.revoke', { api_key_id: firstId }),
      ]);
      // The loser is refused for its key's sake (409), or its key was revoked before it was checked (401).
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const r of results.filter((r) => !r.ok)) {
        expect([
          ['409', 'last_api_key'],
          ['401', 'UnauthorizedError'],
        ]).toContainEqual([String(r.status), r.ok ? '' : (r.reason ?? r.name)]);
      }
      const active = await db.collection('api_keys').countDocuments({ account_id: accountId, revoked_at: null });
      expect(active, `trial ${trial}: ${statuses(results).join(', ')}`).toBe(1);
    }
  });

  it('the admin gives an account a new key (accounts.create_api_key), shown once', async () => {
    const { apiKey, accountId } = await herald.newAccount();
    const made = ok(await rest.call(herald.adminKey, 'accounts.create_api_key', { account_id: accountId, name: 'recovery' }));
    expect(made).toMatchObject({ name: 'recovery', api_key: expect.stringMatching(/^hk_/) });
    // The new key works, and with it the old one can go.
    const oldId = ok(await rest.call(made.api_key, 'api_keys.list')).api_keys.find((k: { id: string }) => k.id !== made.id).id;
    ok(await rest.call(made.api_key, 'api_keys.revoke', { api_key_id: oldId }));
    expect(await rest.call(apiKey, 'api_keys.list')).toMatchObject({ ok: false, status: 401 });
    const listed = ok(await rest.call(made.api_key, 'api_keys.list')).api_keys as Array<{ id: string; revoked_at: string | null }>;
    expect(listed.find((k) => k.id === oldId)?.revoked_at).toEqual(expect.any(String));
    // Admin only; an unknown account is not found.
    expect(await rest.call(made.api_key, 'accounts.create_api_key', { account_id: accountId, name: 'x' })).toMatchObject({ status: 401 });
    expect(await rest.call(herald.adminKey, 'accounts.create_api_key', { account_id: newId('acc'), name: 'x' })).toMatchObject({
      status: 404,
    });
  });
});

describe('HERALD_MAX_WEBHOOKS_PER_ACCOUNT under concurrency', () => {
  const body = (i: number) => ({ url: `http://127.0.0.1:9/${i}`, event_types: ['message.sent'] });
  const count = async (apiKey: string) => ok(await rest.call(apiKey, 'webhooks.list', {})).count as number;

  it(`20 parallel creates with a limit of ${LIMIT} make exactly ${LIMIT}; a delete makes room for one`, async () => {
    const { apiKey } = await herald.newAccount();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => rest.call(apiKey, 'webhooks.create', body(i))));
    expect(statuses(results)).toEqual([...Array(LIMIT).fill(200), ...Array(20 - LIMIT).fill('403 webhook_limit_reached')]);
    expect(await count(apiKey)).toBe(LIMIT);

    const [gone] = results.filter((r) => r.ok).map((r) => (r.ok ? r.data.id : ''));
    ok(await rest.call(apiKey, 'webhooks.delete', { webhook_id: gone }));
    const again = await Promise.all(Array.from({ length: 5 }, (_, i) => rest.call(apiKey, 'webhooks.create', body(i))));
    expect(statuses(again)).toEqual([200, ...Array(4).fill('403 webhook_limit_reached')]);
    expect(await count(apiKey)).toBe(LIMIT);
  });

  it('a create or delete that died between its steps never leaks a slot for good nor lets the count exceed', async () => {
    const { apiKey, accountId } = await herald.newAccount();
    const made = await Promise.all(Array.from({ length: LIMIT }, (_, i) => rest.call(apiKey, 'webhooks.create', body(i))));
    const ids = made.map((r) => ok(r).id as string);
    // A delete that died after removing the webhook, before freeing its slot; a create that died after
    // claiming a slot, before inserting its webhook.
    await db.collection('webhooks').deleteOne({ _id: ids[0] as never });
    ok(await rest.call(apiKey, 'webhooks.delete', { webhook_id: ids[1] }));
    const ghost = await herald.deps.store.webhookSlots.claim(accountId, newId('wh'), LIMIT);
    expect(ghost).not.toBeNull();
    // Both slots are held while their claims are recent (the create may still be inserting).
    expect(await rest.call(apiKey, 'webhooks.create', body(9))).toMatchObject({ status: 403, reason: 'webhook_limit_reached' });
    // Once the claims are older than the lease, the slots are free again: two more, and no third.
    await db.collection('webhook_slots').updateMany({ account_id: accountId }, { $set: { claimed_at: new Date(Date.now() - 3_600_000) } });
    const later = await Promise.all(Array.from({ length: 4 }, (_, i) => rest.call(apiKey, 'webhooks.create', body(i))));
    expect(statuses(later)).toEqual([200, 200, '403 webhook_limit_reached', '403 webhook_limit_reached']);
    expect(await count(apiKey)).toBe(LIMIT);
  });

  it('webhooks made before slots existed count towards the limit', async () => {
    const { apiKey, accountId } = await herald.newAccount();
    for (let i = 0; i < 3; i++) {
      await herald.deps.store.webhooks.create(accountId, {
        ...body(i),
        event_types: ['message.sent'],
        inbox_ids: [],
        pod_ids: [],
        name: null,
        client_id: null,
        enabled: true,
      });
    }
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => rest.call(apiKey, 'webhooks.create', body(i))));
    expect(statuses(results).filter((s) => s === 200)).toHaveLength(LIMIT - 3);
    expect(await count(apiKey)).toBe(LIMIT);
  });
});

describe('concurrent replays of one delivery', () => {
  it('10 at once: one wins, 9 answer 409 delivery_in_progress with its run_id, the receiver sees one attempt sequence', async () => {
    const state = { fixed: false };
    const receiver = await startReceiver((): Reply => (state.fixed ? { status: 200 } : { status: 500 }));
    const { apiKey, client } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    const id = deliveryFor(webhook.id, event.id);
    const workflowId = deliveryWorkflowId(webhook.id, event.id);
    await herald.deps.temporal.workflow.getHandle(workflowId).result();
    expect((await client.deliveries.get.query({ delivery_id: id })).status).toBe('failed');
    expect(receiver.requests).toHaveLength(2);

    state.fixed = true;
    const results = await Promise.all(Array.from({ length: 10 }, () => rest.call(apiKey, 'deliveries.replay', { delivery_id: id })));
    const winners = results.filter((r) => r.ok);
    expect(statuses(results)).toEqual([200, ...Array(9).fill('409 delivery_in_progress')]);
    const runId = winners[0]?.ok ? winners[0].data.run_id : undefined;
    for (const r of results) if (!r.ok) expect(r.run_id).toBe(runId);

    // Every run closed (nothing left to POST), then count: one new attempt, in one new run.
    const runs = async () => {
      const found: Array<{ runId: string; status: string }> = [];
      for await (const w of herald.deps.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
        found.push({ runId: w.runId, status: w.status.name });
      }
      return found;
    };
    await expect
      .poll(async () => (await runs()).map((r) => r.status), { timeout: 30_000, interval: 250 })
      .toEqual(['COMPLETED', 'COMPLETED']);
    expect((await runs()).map((r) => r.runId)).toContain(runId);
    expect(receiver.requests).toHaveLength(3);
    expect((await client.deliveries.get.query({ delivery_id: id })).attempts.map((a) => a.status_code)).toEqual([500, 500, 200]);
    await receiver.close();
  });

  it('a replay of a delivery still running answers 409 delivery_in_progress with that run', async () => {
    const receiver = await startReceiver((): Reply => ({ hangMs: 60_000 }));
    const { apiKey, client } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    await receiver.waitFor(1);
    const running = await herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhook.id, event.id)).describe();
    const answer = await rest.call(apiKey, 'deliveries.replay', { delivery_id: deliveryFor(webhook.id, event.id) });
    expect(answer).toMatchObject({ ok: false, status: 409, reason: 'delivery_in_progress', run_id: running.runId });
    await herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhook.id, event.id)).terminate('test done');
    await receiver.close();
  });
});

describe('Idempotency-Key after the webhook changed', () => {
  it('a retried create does not hand out the secret of a webhook deleted (or rotated) since', async () => {
    const { apiKey } = await herald.newAccount();
    const body = { url: 'http://127.0.0.1:9/idem', event_types: ['message.sent'] };
    const first = ok(await rest.call(apiKey, 'webhooks.create', body, { idempotencyKey: 'k-delete' }));
    expect(first.secret).toMatch(/^whsec_/);
    expect(ok(await rest.call(apiKey, 'webhooks.create', body, { idempotencyKey: 'k-delete' })).secret).toBe(first.secret);
    ok(await rest.call(apiKey, 'webhooks.delete', { webhook_id: first.id }));
    const afterDelete = ok(await rest.call(apiKey, 'webhooks.create', body, { idempotencyKey: 'k-delete' }));
    expect(afterDelete.id).toBe(first.id);
    expect(afterDelete).not.toHaveProperty('secret');

    const other = ok(await rest.call(apiKey, 'webhooks.create', body, { idempotencyKey: 'k-rotate' }));
    ok(await rest.call(apiKey, 'webhooks.rotate_secret', { webhook_id: other.id }));
    expect(ok(await rest.call(apiKey, 'webhooks.create', body, { idempotencyKey: 'k-rotate' }))).not.toHaveProperty('secret');
  });
});
