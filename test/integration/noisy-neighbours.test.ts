// Noisy neighbours (issue 14, item 6): one tenant's hanging endpoint must not delay another tenant's
// deliveries to the same host. Proved causally, not by timing: tenant A's receiver never answers (its
// POSTs would time out only after HERALD_DELIVERY_TIMEOUT, far beyond this test), A's backlog is larger
// than the worker's slots, and tenant B's delivery — including a retry, which has to go through a
// worker slot — completes while not one of A's attempts has finished.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { eventTypeName, historyOf } from '../support/temporal.js';

const SLOTS = 8;
const IN_FLIGHT = 2;
const BACKLOG = 3 * SLOTS;

let herald: TestHerald;
let receiver: Receiver;
beforeAll(async () => {
  herald = await startTestHerald(
    {
      // A's attempts never end on their own while the test runs: whatever B gets, it did not get it
      // because an attempt of A finished and freed something.
      HERALD_DELIVERY_TIMEOUT: '10m',
      HERALD_SHUTDOWN_GRACE: '11m',
      HERALD_MAX_IN_FLIGHT_PER_WEBHOOK: String(IN_FLIGHT),
      HERALD_CONNECTIONS_PER_WEBHOOK: String(IN_FLIGHT),
    },
    { workerSlots: { maxConcurrentWorkflowTaskExecutions: SLOTS, maxConcurrentLocalActivityExecutions: SLOTS } },
  );
  receiver = await startReceiver((_n, request) => {
    if (request.path === '/a') return { hangMs: 3_600_000 };
    if (request.path === '/slow') return { status: 200, delayMs: 500 };
    // B's first attempt fails, so its second is made by its workflow's local activity: a worker slot.
    return requestsTo('/b').length === 1 ? { status: 503 } : { status: 200 };
  });
});
afterAll(async () => {
  // Cuts A's hanging requests, so that its attempts end (as network errors) before the worker stops.
  await receiver?.close();
  await herald?.stop();
});

const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);

it("a tenant whose endpoint hangs, with a backlog beyond the worker's slots, does not hold up another tenant on the same host", async () => {
  const a = await herald.newAccount('Tenant A');
  const b = await herald.newAccount('Tenant B');
  const hookA = await a.client.webhooks.create.mutate({ url: `${receiver.url}/a`, event_types: ['message.sent'] });
  const hookB = await b.client.webhooks.create.mutate({ url: `${receiver.url}/b`, event_types: ['message.sent'] });
  const data = { message: { id: 'msg_1', from: 'a@example.com', to: ['b@example.com'], subject: 'Hi' } };

  const backlog = await Promise.all(Array.from({ length: BACKLOG }, () => a.client.events.publish.mutate({ type: 'message.sent', data })));
  expect(backlog).toHaveLength(BACKLOG);
  // A's endpoint holds its first requests open.
  await expect.poll(() => requestsTo('/a').length, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(1);

  const publishedAt = Date.now();
  await b.client.events.publish.mutate({ type: 'message.sent', data });
  // B's first attempt (503) and its retry (200) arrive.
  // The deadline is generous (a loaded machine, 8 slots shared with A's deferrals) and still far below A's
  // POST timeout: before this change B's retry waited for that timeout.
  await expect.poll(() => requestsTo('/b').length, { timeout: 120_000, interval: 50 }).toBe(2);
  const [first, retry] = requestsTo('/b').map((r) => r.receivedAt - publishedAt);
  // A figure for the record, not an assertion (the retry schedule's delay is 200 ms).
  process.stdout.write(
    `[noisy] A: ${requestsTo('/a').length} requests hanging, backlog ${BACKLOG}; B: first POST after ${first} ms, retry after ${retry} ms\n`,
  );
  await expect
    .poll(async () => (await b.client.deliveries.list.query({ webhook_id: hookB.id })).deliveries.map((d) => [d.status, d.attempt_count]), {
      timeout: 15_000,
    })
    .toEqual([['succeeded', 2]]);

  // Causality: not one attempt of A has ended, so B did not get through because A freed a slot or a
  // connection; and A never had more than its cap of requests open at its receiver.
  const { deliveries: deliveriesA } = await a.client.deliveries.list.query({ webhook_id: hookA.id, limit: 100 });
  expect(deliveriesA).toHaveLength(BACKLOG);
  expect(deliveriesA.map((d) => d.attempt_count)).toEqual(deliveriesA.map(() => 0));
  expect(requestsTo('/a').length).toBeLessThanOrEqual(IN_FLIGHT);
}, 180_000);

it('a deferred turn is not an attempt and not a failure: every delivery over the cap succeeds at its first attempt', async () => {
  const { client } = await herald.newAccount('Busy tenant');
  const hook = await client.webhooks.create.mutate({ url: `${receiver.url}/slow`, event_types: ['message.sent'] });
  const data = { message: { id: 'msg_2', from: 'a@example.com', to: ['b@example.com'], subject: 'Hi' } };
  const events = await Promise.all(
    Array.from({ length: 3 * IN_FLIGHT }, () => client.events.publish.mutate({ type: 'message.sent', data })),
  );
  await expect
    .poll(
      async () => (await client.deliveries.list.query({ webhook_id: hook.id })).deliveries.map((d) => `${d.status}/${d.attempt_count}`),
      {
        timeout: 45_000,
      },
    )
    .toEqual(events.map(() => 'succeeded/1'));
  expect(requestsTo('/slow')).toHaveLength(events.length);
  const webhook = await client.webhooks.get.query({ webhook_id: hook.id });
  expect(webhook).toMatchObject({ status: 'active', failure_count: 0 });
  // Some of them were deferred (the receiver takes 500 ms, the cap is 2): their histories show it as extra
  // local-activity markers and timers, and their results count one attempt.
  const deferred = [];
  for (const event of events) {
    const handle = herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(hook.id, event.id));
    expect(await handle.result()).toEqual({ status: 'succeeded', attempts: 1 });
    const timers = (await historyOf(herald.deps.temporal, handle.workflowId)).filter((e) => eventTypeName(e) === 'TimerStarted');
    if (timers.length > 0) deferred.push(event.id);
  }
  expect(deferred.length).toBeGreaterThan(0);
});
