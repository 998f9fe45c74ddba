// First attempts begun by the API beside the workflow starts (activities/first-attempts.ts), on the real
// stack: the POST does not wait for Temporal to accept the start, the delivery workflow takes the
// outcome instead of POSTing again (from this process's memory, or from the record when another process
// began it), and a start that failed and is retried sends nothing twice.
// Temporal's answer is held back (or refused) by a client interceptor, the SDK's own hook; the server,
// the worker and the receiver are real.
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAttemptDelivery } from '../../activities/attempt-delivery.js';
import { CLAIM_GRACE_MS, createFirstAttempts } from '../../activities/first-attempts.js';
import type { HeraldClient } from '../../src/client/index.js';
import { deliveryId, webhookMessageId } from '../../src/domain/ids.js';
import type { EventDoc } from '../../src/store/documents.js';
import { type DispatchDeps, deliveryRecord, dispatchEvent, matchesFor, startDelivery } from '../../src/temporal/dispatch.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { eventTypeName, historyOf } from '../support/temporal.js';

let herald: TestHerald;
let receiver: Receiver;
beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

/** Herald's dispatch with every workflow start held back until `release()`. */
function heldStarts(): { deps: DispatchDeps; release: () => void } {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const deps = dispatchThrough(async (input, next) => {
    await held;
    return next(input);
  });
  return { deps, release };
}

/** Herald's dispatch, but every workflow start goes through `start` first (on the worker's connection, so still eager). */
function dispatchThrough(start: WorkflowClientInterceptor['start']): DispatchDeps {
  const { dispatch, temporal } = herald.deps;
  const client = new Client({
    connection: temporal.connection,
    namespace: temporal.options.namespace,
    interceptors: { workflow: [{ start }] },
  });
  return { ...dispatch, client };
}

/** A new account with one webhook on the receiver, and an event stored for it as `events.publish` stores it. */
async function storedEvent(): Promise<{ webhookId: string; event: EventDoc; path: string; client: HeraldClient }> {
  const { client, accountId } = await herald.newAccount();
  const path = `/hook-${Math.random().toString(36).slice(2)}`;
  const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}${path}`, event_types: ['message.sent'] });
  const { event, created } = await herald.deps.store.events.insert({
    id: `evt_first_${Math.random().toString(36).slice(2)}`,
    account_id: accountId,
    type: 'message.sent',
    inbox_id: null,
    pod_id: null,
    data: { message: { id: 'msg_1', from: 'a@example.com', to: ['b@example.com'], subject: 'Hi' } },
    created_at: new Date(),
  });
  expect(created).toBe(true);
  return { webhookId: webhook.id, event, path, client };
}

const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);

const waitForRequest = (path: string) => expect.poll(() => requestsTo(path).length, { timeout: 10_000, interval: 20 }).toBe(1);

/** The delivery's workflow ended; its history, and the delivery record's attempts. */
async function finished(webhookId: string, event: EventDoc) {
  const handle = herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhookId, event.id));
  const result = await handle.result();
  const markers = (await historyOf(herald.deps.temporal, handle.workflowId)).filter((e) => eventTypeName(e) === 'MarkerRecorded');
  const record = await herald.deps.store.deliveries.get(event.account_id, deliveryId(webhookId, event.id));
  return { result, markers: markers.length, attempts: record?.attempts.length, status: record?.status };
}

it('POSTs before Temporal has accepted the start, and the workflow takes that attempt instead of POSTing again', async () => {
  const { webhookId, event, path } = await storedEvent();
  const { deps, release } = heldStarts();

  const dispatched = dispatchEvent(deps, event, { matches: await matchesFor(deps, event), firstAttempts: {} });
  // The start is still held: only the attempt the dispatch began can have sent this.
  await waitForRequest(path);
  release();
  await dispatched;

  expect(await finished(webhookId, event)).toEqual({
    result: { status: 'succeeded', attempts: 1 },
    markers: 1,
    attempts: 1,
    status: 'succeeded',
  });
  expect(requestsTo(path)).toHaveLength(1);
  expect(requestsTo(path)[0]?.headers['webhook-id']).toBe(webhookMessageId(event.account_id, event.id));
});

it('sends nothing twice when the start fails and the publish is retried', async () => {
  const { webhookId, event, path } = await storedEvent();
  const refusing = dispatchThrough(async () => {
    throw new Error('Temporal is unavailable');
  });
  await expect(dispatchEvent(refusing, event, { matches: await matchesFor(refusing, event), firstAttempts: {} })).rejects.toThrow(
    'Temporal is unavailable',
  );
  await waitForRequest(path);

  // The retried publish finds the event stored but not dispatched, and dispatches it again (no firstAttempts).
  await dispatchEvent(herald.deps.dispatch, event);
  expect(await finished(webhookId, event)).toMatchObject({ result: { status: 'succeeded', attempts: 1 }, markers: 1, attempts: 1 });
  expect(requestsTo(path)).toHaveLength(1);
});

it('begins nothing for an event that was not stored by this call: the workflow makes the attempt', async () => {
  const { webhookId, event, path } = await storedEvent();
  const { deps, release } = heldStarts();
  const dispatched = dispatchEvent(deps, event, { matches: await matchesFor(deps, event) });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(requestsTo(path)).toHaveLength(0);
  release();
  await dispatched;
  expect(await finished(webhookId, event)).toMatchObject({ result: { status: 'succeeded', attempts: 1 }, markers: 1, attempts: 1 });
  expect(requestsTo(path)).toHaveLength(1);
});

/** First attempts begun as an `api` process begins them: no worker here, every outcome left on the record. */
function anotherProcessFirstAttempts(): DispatchDeps {
  const { attemptDeps, deps } = herald;
  const attempt = createAttemptDelivery(attemptDeps);
  return { ...deps.dispatch, firstAttempts: createFirstAttempts(attempt, { deliveries: deps.store.deliveries, localTakes: false }) };
}

it('a first attempt another process began is adopted from the record: the workflow waits for it, POSTs nothing, and a replay POSTs again', async () => {
  const { webhookId, event, path, client } = await storedEvent();
  // Answered slowly, so that the workflow's first turn finds the claim before the outcome and waits.
  receiver.reply = (_n, request) => (request.path === path ? { status: 200, delayMs: 1_500 } : { status: 200 });
  const deps = anotherProcessFirstAttempts();
  try {
    await dispatchEvent(deps, event, { matches: await matchesFor(deps, event), firstAttempts: {} });
    expect(await finished(webhookId, event)).toEqual({
      result: { status: 'succeeded', attempts: 1 },
      markers: 1,
      attempts: 1,
      status: 'succeeded',
    });
  } finally {
    receiver.reply = () => ({ status: 200 });
  }
  expect(requestsTo(path)).toHaveLength(1);
  // Adopted by the workflow's run: a reset (a new run) finds nothing to adopt and POSTs.
  const record = await herald.deps.store.deliveries.byId(deliveryId(webhookId, event.id));
  const { runId } = await herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhookId, event.id)).describe();
  expect(record).toMatchObject({ handoff: { result: 'succeeded', statusCode: 200 }, handoff_run: runId });
  await client.deliveries.replay.mutate({ delivery_id: deliveryId(webhookId, event.id) });
  await expect.poll(() => requestsTo(path).length, { timeout: 30_000 }).toBe(2);
});

it('a claim whose beginner died is waited for until its deadline, then the workflow makes the attempt itself', async () => {
  const { webhookId, event, path } = await storedEvent();
  const { dispatch, store } = herald.deps;
  // Claimed long enough ago that its deadline (the POST's timeout and the grace) has passed.
  const claimedAt = new Date(Date.now() - dispatch.deliveryTimeoutMs - CLAIM_GRACE_MS - 1_000);
  await store.deliveries.insertMany([deliveryRecord(event, { _id: webhookId }, claimedAt, true)]);
  const webhook = await store.webhooks.byId(webhookId);
  if (!webhook) throw new Error('the webhook is gone');
  await startDelivery(dispatch, event, webhook, 'REJECT_DUPLICATE', { preAttempted: true });
  expect(await finished(webhookId, event)).toMatchObject({
    result: { status: 'succeeded', attempts: 1 },
    attempts: 1,
    status: 'succeeded',
  });
  expect(requestsTo(path)).toHaveLength(1);
  expect(await store.deliveries.byId(deliveryId(webhookId, event.id))).not.toHaveProperty('handoff');
});

it('an adopted outcome is adopted again by its own run (its worker died before completing the task), never by another run', async () => {
  const { webhookId, event } = await storedEvent();
  const { store } = herald.deps;
  const id = deliveryId(webhookId, event.id);
  await store.deliveries.insertMany([deliveryRecord(event, { _id: webhookId }, new Date(), true)]);
  expect(await store.deliveries.takeHandoff(id, 'run_a')).toMatchObject({ state: 'begun' });
  const outcome = { result: 'succeeded', statusCode: 200 } as const;
  const attempt = { started_at: new Date(), duration_ms: 3, status_code: 200, response_body: '', error: null, outcome: 'success' } as const;
  await store.deliveries.recordAttempt(id, attempt, 'succeeded', null, { outcome, run: null });
  expect(await store.deliveries.takeHandoff(id, 'run_a')).toEqual({ state: 'made', outcome, nextAttemptAt: null });
  expect(await store.deliveries.takeHandoff(id, 'run_a')).toEqual({ state: 'made', outcome, nextAttemptAt: null });
  expect(await store.deliveries.takeHandoff(id, 'run_b')).toEqual({ state: 'none' });
});
