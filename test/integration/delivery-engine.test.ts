// The delivery engine on the real stack: matching, idempotent publish, how each kind of receiver
// answer is classified and retried, and what operators see in Temporal.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryId as deliveryFor } from '../../src/domain/ids.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { startReceiver } from '../support/receiver.js';
import { eventTypeName, historyOf, timerDurations, visible } from '../support/temporal.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'], subject: 'Hello' };

let herald: TestHerald;
beforeAll(async () => {
  // The test default schedule: 200ms,200ms,200ms (four attempts), HERALD_DELIVERY_TIMEOUT=2s.
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald?.stop();
});

const result = (webhookId: string, eventId: string) =>
  herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhookId, eventId)).result() as Promise<{ status: string; attempts: number }>;

/** One webhook on a receiver with scripted answers, and one published event; waits for the workflow's end. */
async function deliverOnce(reply: Parameters<typeof startReceiver>[0]) {
  const receiver = await startReceiver(reply);
  const { client, accountId } = await herald.newAccount();
  const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}/hook`, event_types: ['message.sent'] });
  const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
  const outcome = await result(webhook.id, event.id);
  const delivery = await client.deliveries.get.query({ delivery_id: deliveryFor(webhook.id, event.id) });
  await receiver.close();
  return { receiver, client, accountId, webhook, event, outcome, delivery };
}

describe('publishing', () => {
  it('delivers to the 3 matching webhooks (type, inbox and pod scope) and not to the others', async () => {
    const { client } = await herald.newAccount();
    const receivers = await Promise.all(Array.from({ length: 6 }, () => startReceiver()));
    const [any, inbox, pod, otherType, otherInbox, otherPod] = receivers.map((r) => `${r.url}/hook`) as string[] as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const matching = await Promise.all([
      client.webhooks.create.mutate({ url: any, event_types: ['message.received'] }),
      client.webhooks.create.mutate({ url: inbox, event_types: ['message.received', 'message.sent'], inbox_ids: ['inbox_1', 'inbox_9'] }),
      client.webhooks.create.mutate({ url: pod, event_types: ['message.received'], pod_ids: ['pod_1'] }),
    ]);
    await Promise.all([
      client.webhooks.create.mutate({ url: otherType, event_types: ['message.sent'] }),
      client.webhooks.create.mutate({ url: otherInbox, event_types: ['message.received'], inbox_ids: ['inbox_2'] }),
      client.webhooks.create.mutate({ url: otherPod, event_types: ['message.received'], pod_ids: ['pod_2'] }),
    ]);

    const event = await client.events.publish.mutate({ type: 'message.received', inbox_id: 'inbox_1', pod_id: 'pod_1', data: { message } });
    expect(event).toMatchObject({ type: 'message.received', inbox_id: 'inbox_1', pod_id: 'pod_1' });

    // Publish answered after every start was accepted, so the records and workflows exist already.
    const { deliveries } = await client.deliveries.list.query({ event_id: event.id });
    expect(deliveries.map((d) => d.webhook_id).sort()).toEqual(matching.map((w) => w.id).sort());
    await Promise.all(matching.map((w) => result(w.id, event.id)));
    expect(receivers.map((r) => r.requests.length)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(JSON.parse(receivers[2]?.requests[0]?.body ?? '{}')).toMatchObject({ event_id: event.id, inbox_id: 'inbox_1', pod_id: 'pod_1' });
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('treats the same event_id published twice as one event with one set of deliveries', async () => {
    const receiver = await startReceiver();
    const { client } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const first = await client.events.publish.mutate({ type: 'message.sent', event_id: 'order-42', data: { message } });
    const again = await client.events.publish.mutate({
      type: 'message.sent',
      event_id: 'order-42',
      data: { message: { ...message, subject: 'Changed' } },
    });
    expect(again).toEqual(first);
    expect(first.id).toBe('order-42');
    await result(webhook.id, 'order-42');
    const { deliveries } = await client.deliveries.list.query({ event_id: 'order-42' });
    expect(deliveries).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}').message.subject).toBe('Hello');

    // Event ids are per account: another account's order-42 is its own event.
    const other = await herald.newAccount();
    await other.client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const theirs = await other.client.events.publish.mutate({ type: 'message.sent', event_id: 'order-42', data: { message } });
    expect(theirs.account_id).toBe(other.accountId);
    await receiver.waitFor(2);
    await receiver.close();
  });

  it('refuses data larger than HERALD_MAX_EVENT_BYTES, naming the field', async () => {
    const { client } = await herald.newAccount();
    const big = { message: { ...message, text: 'x'.repeat(260 * 1024) } };
    const error = await client.events.publish.mutate({ type: 'message.received', data: big }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'BAD_REQUEST', errors: [{ path: 'data' }] });
  });

  it("refuses data that does not match the type's schema, naming the nested field", async () => {
    const { client } = await herald.newAccount();
    const error = await client.events.publish
      .mutate({ type: 'message.bounced', data: { message, bounce: { type: 'sideways', recipients: [] } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const paths = ((error as TRPCClientError<never>).data as unknown as { errors: Array<{ path: string }> }).errors
      .map((e) => e.path)
      .sort();
    expect(paths).toEqual(['data.bounce.recipients', 'data.bounce.type']);
  });
});

describe('attempts and their classification', () => {
  it('costs 7 history events for a first-attempt success: eager start, one local activity, no activity task', async () => {
    const { outcome, webhook, event, delivery } = await deliverOnce(() => ({ status: 204 }));
    expect(outcome).toEqual({ status: 'succeeded', attempts: 1 });
    expect(delivery.status).toBe('succeeded');
    const events = await historyOf(herald.deps.temporal, deliveryWorkflowId(webhook.id, event.id));
    expect(events.map(eventTypeName)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'MarkerRecorded',
      'UpsertWorkflowSearchAttributes',
      'WorkflowExecutionCompleted',
    ]);
    // The input carries ids and the attempt timeout (HERALD_DELIVERY_TIMEOUT), never the secret.
    const input = JSON.parse(
      Buffer.from(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data ?? []).toString('utf8'),
    );
    expect(input).toEqual({
      deliveryId: delivery.id,
      webhookId: webhook.id,
      accountId: webhook.account_id,
      eventId: event.id,
      attemptTimeoutMs: 2_000,
      // First attempts begin beside the start (docs/speed-ups.md): the first turn adopts the outcome.
      ...(herald.deps.config.speedups.firstAttempts ? { preAttempted: true } : {}),
    });
    expect(JSON.stringify(events)).not.toContain('whsec_');
  });

  it('retries a 500 until the schedule is spent, then the delivery is failed', async () => {
    const { outcome, delivery, receiver } = await deliverOnce(() => ({ status: 500, body: 'boom' }));
    expect(outcome).toEqual({ status: 'failed', attempts: 4 });
    expect(receiver.requests).toHaveLength(4);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts.map((a) => [a.attempt, a.status_code, a.outcome, a.error, a.response_body])).toEqual([
      [1, 500, 'retry', 'HTTP 500', 'boom'],
      [2, 500, 'retry', 'HTTP 500', 'boom'],
      [3, 500, 'retry', 'HTTP 500', 'boom'],
      [4, 500, 'retry', 'HTTP 500', 'boom'],
    ]);
    expect(delivery.next_attempt_at).toBeNull();
  });

  it("honours a 429's Retry-After, clamped to twice the scheduled delay", async () => {
    const { outcome, delivery, webhook, event } = await deliverOnce((n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '10' } } : { status: 200 },
    );
    expect(outcome).toEqual({ status: 'succeeded', attempts: 2 });
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([429, 200]);
    // 10 s asked, 200 ms scheduled: the wait is exactly 2 × 200 ms (a jittered one would be 160–240 ms).
    const events = await historyOf(herald.deps.temporal, deliveryWorkflowId(webhook.id, event.id));
    expect(timerDurations(events)).toEqual([400]);
  });

  it("answers the UI's stack-trace query with a clear refusal (no promise hook: scripts/patch-temporal-vm.mjs)", async () => {
    const { outcome, webhook, event } = await deliverOnce(() => ({ status: 200 }));
    expect(outcome).toEqual({ status: 'succeeded', attempts: 1 });
    const handle = herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhook.id, event.id));
    const query = handle.query<string>('__stack_trace');
    // With the patch switched off (HERALD_SPEEDUP_VM_PATCH=off, `npm run test:plain`), the stock SDK answers.
    if (herald.deps.config.speedups.vmPatch) await expect(query).rejects.toThrow('Workflow stack traces are not enabled on this worker');
    else expect(typeof (await query)).toBe('string');
    // The workflow itself is unaffected.
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('does not follow a 301: a failed attempt each time, the redirect target never called', async () => {
    const target = await startReceiver();
    const { outcome, delivery, receiver } = await deliverOnce(() => ({ status: 301, headers: { location: `${target.url}/moved` } }));
    expect(outcome).toEqual({ status: 'failed', attempts: 4 });
    expect(receiver.requests).toHaveLength(4);
    expect(target.requests).toHaveLength(0);
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([301, 301, 301, 301]);
    await target.close();
  });

  it('stops at 410 Gone: one request, the attempt classified gone', async () => {
    const { outcome, delivery, receiver } = await deliverOnce(() => ({ status: 410 }));
    expect(outcome).toEqual({ status: 'gone', attempts: 1 });
    expect(receiver.requests).toHaveLength(1);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toMatchObject([{ status_code: 410, outcome: 'gone' }]);
  });

  it('retries a receiver that hangs past HERALD_DELIVERY_TIMEOUT', async () => {
    const { outcome, delivery } = await deliverOnce((n) => (n === 0 ? { hangMs: 5_000 } : { status: 200 }));
    expect(outcome).toEqual({ status: 'succeeded', attempts: 2 });
    expect(delivery.attempts[0]).toMatchObject({ status_code: null, outcome: 'retry', error: expect.stringContaining('timeout') });
    expect(delivery.attempts[1]).toMatchObject({ status_code: 200, outcome: 'success' });
  });

  it('retries a receiver that closes the connection', async () => {
    const { outcome, delivery } = await deliverOnce((n) => (n === 0 ? { destroy: true } : { status: 200 }));
    expect(outcome).toEqual({ status: 'succeeded', attempts: 2 });
    expect(delivery.attempts[0]).toMatchObject({ status_code: null, outcome: 'retry', error: expect.any(String) });
    expect(delivery.attempts[1]).toMatchObject({ status_code: 200 });
  });
});

describe('what operators see in Temporal', () => {
  it('keeps the search attributes current and queryable through the visibility API', async () => {
    const receiver = await startReceiver((n, request) =>
      JSON.parse(request.body).message.id === 'fails' ? { status: 503 } : n >= 0 ? { status: 200 } : { status: 500 },
    );
    const { client, accountId } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
    const ok = await client.events.publish.mutate({ type: 'message.received', inbox_id: 'inbox_7', data: { message } });
    const bad = await client.events.publish.mutate({ type: 'message.received', data: { message: { ...message, id: 'fails' } } });
    await Promise.all([result(webhook.id, ok.id), result(webhook.id, bad.id)]);

    const temporal = herald.deps.temporal;
    await expect
      .poll(() => visible(temporal, `WebhookId = "${webhook.id}" AND DeliveryStatus = "failed"`), { timeout: 20_000, interval: 250 })
      .toEqual([
        {
          workflowId: deliveryWorkflowId(webhook.id, bad.id),
          attributes: { WebhookId: webhook.id, EventType: 'message.received', AccountId: accountId, DeliveryStatus: 'failed' },
        },
      ]);
    await expect
      .poll(() => visible(temporal, `AccountId = "${accountId}" AND InboxId = "inbox_7" AND DeliveryStatus = "succeeded"`), {
        timeout: 20_000,
        interval: 250,
      })
      .toEqual([
        {
          workflowId: deliveryWorkflowId(webhook.id, ok.id),
          attributes: {
            WebhookId: webhook.id,
            EventType: 'message.received',
            AccountId: accountId,
            InboxId: 'inbox_7',
            DeliveryStatus: 'succeeded',
          },
        },
      ]);
    const description = await temporal.workflow.getHandle(deliveryWorkflowId(webhook.id, ok.id)).describe();
    expect(await description.staticSummary()).toBe(`POST ${new URL(receiver.url).host} message.received`);
    await receiver.close();
  });
});
