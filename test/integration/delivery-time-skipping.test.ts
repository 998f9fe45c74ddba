// The whole default retry schedule (≈27 h) with the real activities: real store (the shared
// MongoDB-protocol server), real signed POSTs to a real receiver, the real health reports, on Temporal's
// time-skipping test server (test/workflows/ runs the workflows with test doubles instead). Here because
// it needs the store; it starts its own test server (src/dev-stack/test-server.ts).
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createSuccessMemo } from '../../activities/delivery-health.js';
import { createHttpSender } from '../../activities/http-post.js';
import { createActivities } from '../../activities/index.js';
import { loadConfig } from '../../src/config/env.js';
import { findTemporalTestServer } from '../../src/dev-stack/test-server.js';
import { deliveryId, newId } from '../../src/domain/ids.js';
import { createStore, type Store } from '../../src/store/index.js';
import { connectMongo, type Mongo } from '../../src/store/mongo.js';
import { type DispatchDeps, dispatchEvent } from '../../src/temporal/dispatch.js';
import { createWebhookLifecycle } from '../../src/temporal/webhook-lifecycle.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { tracingOff } from '../../src/tracing/tracing.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { timerDurations } from '../support/temporal.js';
import { startTestEnvironment } from '../support/time-skipping.js';

const HOUR = 3_600_000;
const { retryScheduleMs, retryJitter } = loadConfig({}).delivery;
const taskQueue = `herald-ts-${randomBytes(4).toString('hex')}`;

let env: TestWorkflowEnvironment;
let mongo: Mongo;
let store: Store;
let receiver: Receiver;
let worker: Worker;
let dispatch: DispatchDeps;

beforeAll(async () => {
  const path = await findTemporalTestServer({ dataDir: process.env.HERALD_DATA_DIR ?? '.herald', log: () => {} });
  env = await startTestEnvironment(path);
  mongo = await connectMongo(inject('mongodbUri'), `herald_test_ts_${randomBytes(4).toString('hex')}`);
  store = createStore(mongo);
  receiver = await startReceiver(() => ({ status: 500 }));
  const client = env.client;
  // As src/app.ts builds them, with the default schedule and a health threshold out of the way.
  const unhealthyAfter = 1_000;
  const lifecycle = createWebhookLifecycle({ store, client, taskQueue, historyMaxEvents: 10_000 });
  dispatch = { store, client, taskQueue, eagerStart: false, directFanoutMax: 10, fanOutPageSize: 100, deliveryTimeoutMs: 2_000 };
  const activities = createActivities({
    store,
    sender: createHttpSender({ timeoutMs: 2_000, policy: { allowPrivate: true, allowedNetworks: undefined } }),
    retryPolicy: { scheduleMs: retryScheduleMs, jitter: retryJitter },
    health: { report: lifecycle.report, unhealthyAfter, parkMaxMs: 7 * 24 * HOUR, recentSuccesses: createSuccessMemo() },
    client,
    dispatch,
    unhealthyAfter,
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
    // The bundle holds the tracing interceptors (workflows/interceptors.ts): their spans go nowhere here.
    sinks: tracingOff().sinks,
  });
});
afterAll(async () => {
  await receiver?.close();
  await mongo?.db.dropDatabase();
  await mongo?.close();
  await env?.teardown();
});

it('POSTs all 8 attempts of the default schedule to a failing receiver, records them, and fails', async () => {
  const { account } = await store.accounts.create('time-skipping');
  const { webhook } = await store.webhooks.create(account._id, {
    url: receiver.url,
    event_types: ['message.received'],
    inbox_ids: [],
    pod_ids: [],
    name: null,
    client_id: null,
    enabled: true,
  });
  const { event } = await store.events.insert({
    id: newId('evt'),
    account_id: account._id,
    type: 'message.received',
    inbox_id: null,
    pod_id: null,
    data: { message: { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] } },
    created_at: new Date(),
    scope: 'message',
  });
  const workflowId = deliveryWorkflowId(webhook._id, event.id);
  const result = await worker.runUntil(async () => {
    expect(await dispatchEvent(dispatch, event)).toEqual({ mode: 'direct', deliveries: 1 });
    return env.client.workflow.getHandle(workflowId).result();
  });

  expect(result).toEqual({ status: 'failed', attempts: 8 });
  expect(receiver.requests).toHaveLength(8);
  expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
  const record = await store.deliveries.get(account._id, deliveryId(webhook._id, event.id));
  expect(record?.status).toBe('failed');
  expect(record?.attempts.map((a) => a.status_code)).toEqual([500, 500, 500, 500, 500, 500, 500, 500]);
  // The timers are the schedule's delays (jittered): ≈27 h of them.
  const timers = timerDurations((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
  expect(timers).toHaveLength(7);
  const total = timers.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(27 * HOUR * (1 - retryJitter));
  expect(total).toBeLessThan(27.2 * HOUR * (1 + retryJitter));
});
