// The maintenance schedules on the real stack: the reconciler dispatches stranded events, retention
// deletes what is older than HERALD_RETENTION_DAYS; both are created or updated at start.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deliveryId as deliveryFor, newId, webhookMessageId } from '../../src/domain/ids.js';
import { idempotencyRecordId } from '../../src/store/idempotency-repo.js';
import { deliveryRecord } from '../../src/temporal/dispatch.js';
import { ensureSchedules } from '../../src/temporal/schedules.js';
import { reconcilerScheduleId, retentionScheduleId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { startReceiver } from '../support/receiver.js';
import { eventTypeName, historyOf } from '../support/temporal.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };
const DAY = 86_400_000;

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald({
    HERALD_RECONCILE_INTERVAL: '1s',
    HERALD_RECONCILE_AFTER: '1s',
    HERALD_RETENTION_INTERVAL: '1s',
    HERALD_RETENTION_DAYS: '30',
  });
});
afterAll(async () => {
  await herald?.stop();
});

/** What the API stores before it dispatches; the "crash" is simply not dispatching. */
async function storeEvent(accountId: string, createdAt: Date) {
  const { event } = await herald.deps.store.events.insert({
    id: newId('evt', createdAt.getTime()),
    account_id: accountId,
    type: 'message.sent',
    inbox_id: null,
    pod_id: null,
    data: { message },
    created_at: createdAt,
  });
  return event;
}

describe('schedules', () => {
  it('are created at start and brought up to date idempotently', async () => {
    const config = herald.deps.config;
    const taskQueue = config.temporal.taskQueue;
    const every = async (id: string) => (await herald.deps.temporal.schedule.getHandle(id).describe()).spec.intervals?.[0]?.every;
    expect(await every(reconcilerScheduleId(taskQueue))).toBe(1_000);
    expect(await every(retentionScheduleId(taskQueue))).toBe(1_000);

    // A second process starting, with another interval: no error, the schedule follows the configuration.
    await ensureSchedules(herald.deps.temporal, { ...config, maintenance: { ...config.maintenance, retentionIntervalMs: 7_000 } });
    expect(await every(retentionScheduleId(taskQueue))).toBe(7_000);
    await ensureSchedules(herald.deps.temporal, config);
    expect(await every(retentionScheduleId(taskQueue))).toBe(1_000);
  });

  it('reconciler: an event stored but never dispatched is dispatched and delivered', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const stranded = await storeEvent(accountId, new Date(Date.now() - 2_000));
    expect(stranded.dispatched_at).toBeNull();

    const [request] = await receiver.waitFor(1, 20_000);
    expect(request?.headers['webhook-id']).toBe(webhookMessageId(accountId, stranded.id));
    // The event is marked dispatched once every start was accepted, which may be just after the POST
    // arrived (the first task is eager).
    await expect.poll(async () => (await herald.deps.store.events.get(accountId, stranded.id))?.dispatched_at).toBeInstanceOf(Date);
    await expect
      .poll(async () => (await client.deliveries.get.query({ delivery_id: deliveryFor(webhook.id, stranded.id) })).status)
      .toBe('succeeded');
    await receiver.close();
  });

  it('retention: deletes events and deliveries older than HERALD_RETENTION_DAYS, keeps the rest', async () => {
    const { accountId } = await herald.newAccount();
    const store = herald.deps.store;
    const old = new Date(Date.now() - 31 * DAY);
    const recent = new Date(Date.now() - 29 * DAY);
    const webhook = { _id: newId('wh') };
    const expired = await Promise.all([storeEvent(accountId, old), storeEvent(accountId, old), storeEvent(accountId, old)]);
    const kept = await storeEvent(accountId, recent);
    await store.deliveries.insertMany([...expired.map((e) => deliveryRecord(e, webhook, old)), deliveryRecord(kept, webhook, recent)]);

    await expect
      .poll(async () => (await Promise.all(expired.map((e) => store.events.get(accountId, e.id)))).filter(Boolean).length, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(0);
    await expect
      .poll(
        async () => (await Promise.all(expired.map((e) => store.deliveries.byId(deliveryFor(webhook._id, e.id))))).filter(Boolean).length,
      )
      .toBe(0);
    expect(await store.events.get(accountId, kept.id)).not.toBeNull();
    expect(await store.deliveries.byId(deliveryFor(webhook._id, kept.id))).not.toBeNull();
  });

  it('retention: deletes Idempotency-Key records past their 24-hour window, keeps the rest', async () => {
    const { accountId } = await herald.newAccount();
    const store = herald.deps.store;
    const record = (key: string, createdAt: Date) => ({
      _id: idempotencyRecordId(accountId, 'webhooks.create', key),
      account_id: accountId,
      route: 'webhooks.create',
      key,
      request_hash: 'h',
      state: 'done' as const,
      response: { id: 'wh_x', secret: 'whsec_x' },
      created_at: createdAt,
    });
    const claim = (doc: ReturnType<typeof record>) =>
      store.idempotency.claim(doc, { expiredBefore: new Date(0), abandonedBefore: new Date(0) });
    const expired = ['old-1', 'old-2', 'old-3'].map((key) => record(key, new Date(Date.now() - 25 * 3600 * 1000)));
    const fresh = record('fresh', new Date(Date.now() - 23 * 3600 * 1000));
    for (const doc of [...expired, fresh]) expect(await claim(doc)).toEqual({ claimed: true });

    const mongo = await MongoClient.connect(inject('mongodbUri'));
    try {
      const records = mongo.db(herald.deps.config.mongodb.database).collection('idempotency_keys');
      const left = async (docs: Array<{ _id: string }>) => records.countDocuments({ _id: { $in: docs.map((d) => d._id) } } as never);
      await expect.poll(() => left(expired), { timeout: 20_000, interval: 250 }).toBe(0);
      expect(await left([fresh])).toBe(1);
    } finally {
      await mongo.close();
    }
  });

  it('retention works in bounded batches until nothing old is left', async () => {
    // The scheduled runs paused (and any in flight finished) first, then one run by hand with batches of 2.
    const schedule = herald.deps.temporal.schedule.getHandle(retentionScheduleId(herald.deps.config.temporal.taskQueue));
    await schedule.pause('test: a run by hand');
    try {
      await expect.poll(async () => (await schedule.describe()).info.runningActions.length).toBe(0);
      const { accountId } = await herald.newAccount();
      const old = new Date(Date.now() - 40 * DAY);
      const webhook = { _id: newId('wh') };
      const events = await Promise.all(Array.from({ length: 5 }, () => storeEvent(accountId, old)));
      await herald.deps.store.deliveries.insertMany(events.map((e) => deliveryRecord(e, webhook, old)));
      const workflowId = `retention-test-${accountId}`;
      const result = await herald.deps.temporal.workflow.execute('retentionWorkflow', {
        workflowId,
        taskQueue: herald.deps.config.temporal.taskQueue,
        args: [{ retentionDays: 30, batchSize: 2 }],
      });
      expect(result).toMatchObject({ deliveries: 5, events: 5 });
      // 2 + 2 + 1: three bounded batches.
      const batches = (await historyOf(herald.deps.temporal, workflowId)).filter((e) => eventTypeName(e) === 'ActivityTaskScheduled');
      expect(batches).toHaveLength(3);
      expect((await Promise.all(events.map((e) => herald.deps.store.events.get(accountId, e.id)))).filter(Boolean)).toHaveLength(0);
    } finally {
      await schedule.unpause();
    }
  });
});
