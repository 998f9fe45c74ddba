// Large fan-outs: above HERALD_DIRECT_FANOUT_MAX matches, one fan-out workflow (id from the event id)
// first POSTs every delivery's first attempt itself, page by page, then starts the delivery workflows,
// which adopt those outcomes; it continues as new; publish answers once Temporal accepted it.
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuccessMemo } from '../../activities/delivery-health.js';
import { createFanOutAttemptPage } from '../../activities/fan-out.js';
import { deliveryId, webhookMessageId } from '../../src/domain/ids.js';
import { deliveryRecord } from '../../src/temporal/dispatch.js';
import { deliveryWorkflowId, fanOutWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Reply, startReceiver } from '../support/receiver.js';
import { visible } from '../support/temporal.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };

let herald: TestHerald;
beforeAll(async () => {
  // One webhook per page and ten pages per run: 12 webhooks are 12 attempt pages then 12 start pages,
  // three runs of the fan-out workflow.
  herald = await startTestHerald({ HERALD_DIRECT_FANOUT_MAX: '2', HERALD_FANOUT_PAGE_SIZE: '1' });
});
afterAll(async () => {
  await herald?.stop();
});

async function webhooksTo(
  client: Awaited<ReturnType<TestHerald['newAccount']>>['client'],
  url: string,
  count: number,
): Promise<Array<{ id: string }>> {
  // One after the other: their ids (ULIDs) then sort as their paths do.
  const webhooks: Array<{ id: string }> = [];
  for (let i = 0; i < count; i++) webhooks.push(await client.webhooks.create.mutate({ url: `${url}/${i}`, event_types: ['message.sent'] }));
  return webhooks;
}

function resultsOf(eventId: string, webhooks: Array<{ id: string }>) {
  return Promise.all(webhooks.map((w) => herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(w.id, eventId)).result()));
}

describe('fan-out', () => {
  it('POSTs every first attempt before it starts any delivery workflow, then gives every pair its workflow', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    const webhooks = await webhooksTo(client, receiver.url, 12);
    const event = await client.events.publish.mutate({ type: 'message.sent', event_id: 'big-1', data: { message } });

    // Publish answered after Temporal accepted the fan-out workflow, and the event counts as dispatched.
    const fanOut = herald.deps.temporal.workflow.getHandle(fanOutWorkflowId(accountId, event.id));
    expect((await fanOut.describe()).type).toBe('fanOutWorkflow');
    await expect.poll(async () => (await herald.deps.store.events.get(accountId, event.id))?.dispatched_at).toBeInstanceOf(Date);

    expect(await fanOut.result()).toEqual({ started: 12 });
    await receiver.waitFor(12);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([webhookMessageId(accountId, event.id)]));
    // One POST per webhook.
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(webhooks.map((_, i) => `/${i}`).sort());

    // Every pair has its workflow, which adopted the fan-out's attempt instead of POSTing again…
    expect(await resultsOf(event.id, webhooks)).toEqual(webhooks.map(() => ({ status: 'succeeded', attempts: 1 })));
    // …and every POST had arrived before the first of them started (a POST paced by workflow starts
    // would arrive after its own workflow's start).
    const starts = await Promise.all(
      webhooks.map(async (w) => (await herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(w.id, event.id)).describe()).startTime),
    );
    const lastPost = Math.max(...receiver.requests.map((r) => r.receivedAt));
    expect(lastPost).toBeLessThanOrEqual(Math.min(...starts.map((t) => t.getTime())));

    const { deliveries } = await client.deliveries.list.query({ event_id: event.id, limit: 100 });
    expect(deliveries.map((d) => d.webhook_id).sort()).toEqual(webhooks.map((w) => w.id).sort());
    for (const w of webhooks) {
      const record = await herald.deps.store.deliveries.byId(deliveryId(w.id, event.id));
      expect(record).toMatchObject({ status: 'succeeded', attempts: [expect.objectContaining({ status_code: 200, outcome: 'success' })] });
      // Adopted by the workflow's run: a replay (a new run) will POST.
      const { runId } = await herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(w.id, event.id)).describe();
      expect(record?.handoff_run).toBe(runId);
    }
    // Search attributes as for any delivery.
    await expect
      .poll(
        async () =>
          (
            await visible(
              herald.deps.temporal,
              `WorkflowType = "deliveryWorkflow" AND EventType = "message.sent" AND DeliveryStatus = "succeeded" AND AccountId = "${accountId}"`,
            )
          ).length,
        {
          timeout: 20_000,
          interval: 250,
        },
      )
      .toBe(12);
    // 24 pages, ten a run.
    await expect
      .poll(async () => (await visible(herald.deps.temporal, `WorkflowId = "${fanOutWorkflowId(accountId, event.id)}"`)).length, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(3);

    // The same event again: nothing new is started or sent.
    await client.events.publish.mutate({ type: 'message.sent', event_id: 'big-1', data: { message } });
    await expect.poll(async () => (await client.deliveries.list.query({ status: 'succeeded', limit: 100 })).deliveries.length).toBe(12);
    expect(receiver.requests).toHaveLength(12);

    // A replay of a pre-attempted delivery is a real attempt again.
    const replayed = deliveryId(webhooks[3]?.id as string, event.id);
    await client.deliveries.replay.mutate({ delivery_id: replayed });
    await receiver.waitFor(13);
    expect(receiver.requests[12]?.path).toBe('/3');
    await expect.poll(async () => (await client.deliveries.get.query({ delivery_id: replayed })).attempts.length).toBe(2);
    expect(await client.deliveries.get.query({ delivery_id: replayed })).toMatchObject({ status: 'succeeded' });
    expect(receiver.requests).toHaveLength(13);
    await receiver.close();
  });

  it('leaves a failed first attempt to its delivery workflow, which retries it', async () => {
    const seen = new Set<string>();
    const receiver = await startReceiver((_, request): Reply => {
      const first = !seen.has(request.path);
      seen.add(request.path);
      return first ? { status: 503 } : { status: 200 };
    });
    const { client, accountId } = await herald.newAccount();
    const webhooks = await webhooksTo(client, receiver.url, 3);
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    expect(await herald.deps.temporal.workflow.getHandle(fanOutWorkflowId(accountId, event.id)).result()).toEqual({ started: 3 });

    expect(await resultsOf(event.id, webhooks)).toEqual(webhooks.map(() => ({ status: 'succeeded', attempts: 2 })));
    for (const w of webhooks) {
      const delivery = await client.deliveries.get.query({ delivery_id: deliveryId(w.id, event.id) });
      expect(delivery.attempts.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
        [1, 503, 'retry'],
        [2, 200, 'success'],
      ]);
    }
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/0', '/0', '/1', '/1', '/2', '/2']);
    await receiver.close();
  });

  it('sends nothing to a disabled webhook of a fan-out: its delivery is parked, and sent when enabled', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    const webhooks = await webhooksTo(client, receiver.url, 3);
    const held = webhooks[1]?.id as string;
    await client.webhooks.disable.mutate({ webhook_id: held });
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    expect(await herald.deps.temporal.workflow.getHandle(fanOutWorkflowId(accountId, event.id)).result()).toEqual({ started: 3 });

    const parked = deliveryId(held, event.id);
    await expect.poll(async () => (await client.deliveries.get.query({ delivery_id: parked })).status, { timeout: 20_000 }).toBe('parked');
    expect((await client.deliveries.get.query({ delivery_id: parked })).attempts).toEqual([]);
    await receiver.waitFor(2);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/0', '/2']);

    expect(await client.webhooks.enable.mutate({ webhook_id: held })).toMatchObject({ status: 'active', resumed_deliveries: 1 });
    await receiver.waitFor(3);
    expect(receiver.requests[2]?.path).toBe('/1');
    expect(await resultsOf(event.id, webhooks)).toEqual(webhooks.map(() => ({ status: 'succeeded', attempts: 1 })));
    expect(receiver.requests).toHaveLength(3);
    await receiver.close();
  });

  it('never POSTs twice from a retried attempt page once the attempt is recorded, nor for a delivery it does not own', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    const webhooks = await webhooksTo(client, receiver.url, 3);
    const { store, lifecycle, sender } = herald.deps;
    // The page as the worker runs it, called directly: no fan-out workflow runs for these events.
    const attemptPage = createFanOutAttemptPage({
      store,
      sender,
      retryPolicy: { scheduleMs: [200], jitter: 0 },
      health: { report: lifecycle.report, unhealthyAfter: 5, parkMaxMs: 60_000, recentSuccesses: createSuccessMemo() },
    });
    const stored = (id: string) =>
      store.events.insert({
        id,
        account_id: accountId,
        type: 'message.sent',
        inbox_id: null,
        pod_id: null,
        data: { message },
        created_at: new Date(),
      });
    const input = (eventId: string) => ({ accountId, eventId, after: null, pageSize: 10, attemptTimeoutMs: 2_000 });

    // The same page twice (its activity retried after it recorded everything): one POST per webhook.
    await stored('retried-page');
    expect(await attemptPage(input('retried-page'))).toEqual({ attempted: 3, webhookIds: webhooks.map((w) => w.id), next: null });
    expect(await attemptPage(input('retried-page'))).toEqual({ attempted: 0, webhookIds: webhooks.map((w) => w.id), next: null });
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/0', '/1', '/2']);
    for (const w of webhooks) {
      const record = await store.deliveries.byId(deliveryId(w.id, 'retried-page'));
      expect(record).toMatchObject({ status: 'succeeded', handoff: { result: 'succeeded', statusCode: 200 } });
      expect(record?.attempts).toHaveLength(1);
    }

    // An earlier try that died between recording the deliveries and POSTing (webhook 0): POSTed now. A
    // record some other dispatch made (webhook 1, no handoff marker): its own workflow's to attempt.
    const { event } = await stored('crashed-page');
    const [first, second] = webhooks as [{ id: string }, { id: string }];
    await store.deliveries.insertMany([
      { ...deliveryRecord(event, { _id: first.id }, new Date()), handoff: null },
      deliveryRecord(event, { _id: second.id }, new Date()),
    ]);
    expect(await attemptPage(input('crashed-page'))).toMatchObject({ attempted: 2 });
    expect(
      receiver.requests
        .slice(3)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/0', '/2']);
    expect((await store.deliveries.byId(deliveryId(second.id, 'crashed-page')))?.attempts).toEqual([]);
    await receiver.close();
  });

  it('starts up to HERALD_DIRECT_FANOUT_MAX deliveries itself, without a fan-out workflow', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    await client.webhooks.create.mutate({ url: `${receiver.url}/a`, event_types: ['message.sent'] });
    await client.webhooks.create.mutate({ url: `${receiver.url}/b`, event_types: ['message.sent'] });
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    await receiver.waitFor(2);
    await expect(herald.deps.temporal.workflow.getHandle(fanOutWorkflowId(accountId, event.id)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    await receiver.close();
  });
});
