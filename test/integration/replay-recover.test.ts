// Replay (reset to the first workflow task) one delivery at a time and in bulk, on the real stack.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryId as deliveryFor, webhookMessageId } from '../../src/domain/ids.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Reply, startReceiver } from '../support/receiver.js';
import { visible } from '../support/temporal.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };
const UI = 'http://127.0.0.1:8233';

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald({
    // Two attempts per run keep 50 failing deliveries cheap.
    HERALD_RETRY_SCHEDULE: '100ms',
    HERALD_RECOVER_MAX: '40',
    HERALD_TEMPORAL_UI_URL: UI,
    // Failing on purpose here: keep the health workflow (issue 6) from parking these deliveries.
    HERALD_UNHEALTHY_AFTER: '1000000',
  });
});
afterAll(async () => {
  await herald?.stop();
});

async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; errors?: Array<{ path: string }> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCClientError)) throw new Error(`expected a tRPC error, got ${String(error)}`);
  return error.data;
}

/** A receiver that fails until `fixed` is set. */
async function brokenReceiver() {
  const state = { fixed: false };
  const receiver = await startReceiver((): Reply => (state.fixed ? { status: 200 } : { status: 500 }));
  return { receiver, fix: () => (state.fixed = true) };
}

describe('deliveries.replay', () => {
  it('resets a failed delivery to its first task: delivered once fixed, every attempt kept', async () => {
    const { receiver, fix } = await brokenReceiver();
    const { client } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    const id = deliveryFor(webhook.id, event.id);
    const workflowId = deliveryWorkflowId(webhook.id, event.id);
    await herald.deps.temporal.workflow.getHandle(workflowId).result();

    const failed = await client.deliveries.get.query({ delivery_id: id });
    expect(failed).toMatchObject({ status: 'failed', workflow_id: workflowId });
    expect(failed.attempts.map((a) => a.status_code)).toEqual([500, 500]);
    expect(failed.run_id).toEqual(expect.any(String));
    expect(failed.temporal_ui_url).toBe(`${UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${failed.run_id}/history`);

    fix();
    const replay = await client.deliveries.replay.mutate({ delivery_id: id });
    expect(replay).toMatchObject({ id, workflow_id: workflowId, status: 'pending' });
    expect(replay.run_id).not.toBe(failed.run_id);

    await receiver.waitFor(3);
    await expect.poll(async () => (await client.deliveries.get.query({ delivery_id: id })).status).toBe('succeeded');
    const delivered = await client.deliveries.get.query({ delivery_id: id });
    expect(delivered.attempts.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'success'],
    ]);
    expect(delivered.run_id).toBe(replay.run_id);
    // The same webhook-id throughout, so the receiver can tell it is the same message.
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([webhookMessageId(event.account_id, event.id)]));
    // The new run starts from the first task's search attributes and ends succeeded; both runs are kept.
    await expect
      .poll(
        async () => (await visible(herald.deps.temporal, `WorkflowId = "${workflowId}"`)).map((w) => w.attributes.DeliveryStatus).sort(),
        {
          timeout: 20_000,
          interval: 250,
        },
      )
      .toEqual(['failed', 'succeeded']);
    await receiver.close();
  });

  it('refuses to replay a delivery whose attempt is still in flight, then replays it once finished', async () => {
    // The first answer takes a while: the delivery is in flight when replay is asked for.
    const receiver = await startReceiver((n): Reply => (n === 0 ? { status: 500, delayMs: 1_500 } : { status: 200 }));
    const { client } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    const id = deliveryFor(webhook.id, event.id);
    await receiver.waitFor(1);

    const busy = await client.deliveries.replay.mutate({ delivery_id: id }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(TRPCClientError);
    expect((busy as TRPCClientError<never>).data).toMatchObject({ code: 'CONFLICT', reason: 'delivery_in_progress' });

    await expect.poll(async () => (await client.deliveries.get.query({ delivery_id: id })).status, { timeout: 20_000 }).toBe('succeeded');
    // The record says succeeded a moment before its workflow has closed; until then a replay is still
    // refused as in progress (without the speed-ups, HERALD_SPEEDUPS=off, that moment is longer): retry.
    await expect
      .poll(() =>
        client.deliveries.replay.mutate({ delivery_id: id }).then(
          (replay) => replay.status,
          (error: TRPCClientError<never>) => (error.data as { reason?: string } | undefined)?.reason,
        ),
      )
      .toBe('pending');
    await receiver.waitFor(3);
    await receiver.close();
  });

  it("answers NOT_FOUND for another account's delivery or an unknown one", async () => {
    const receiver = await startReceiver();
    const owner = await herald.newAccount();
    const other = await herald.newAccount();
    const webhook = await owner.client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const event = await owner.client.events.publish.mutate({ type: 'message.sent', data: { message } });
    const id = deliveryFor(webhook.id, event.id);
    expect(await errorOf(other.client.deliveries.replay.mutate({ delivery_id: id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(other.client.deliveries.get.query({ delivery_id: id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(owner.client.deliveries.replay.mutate({ delivery_id: 'dlv_nope' }))).toMatchObject({ code: 'NOT_FOUND' });
    await receiver.close();
  });
});

describe('deliveries.recover', () => {
  it('replays every failed delivery of the webhook in the window, capped, with progress', async () => {
    const { receiver, fix } = await brokenReceiver();
    const { client } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const otherWebhook = await client.webhooks.create.mutate({ url: `${receiver.url}/other`, event_types: ['message.received'] });
    const send = (type: 'message.sent' | 'message.received', n: number) =>
      client.events.publish.mutate({ type, data: { message: { ...message, id: `msg_${n}` } } });

    // Before the window, and another webhook's: both fail too, and neither is recovered.
    const early = await send('message.sent', 0);
    await expect.poll(() => receiver.requests.length).toBeGreaterThanOrEqual(1);
    const since = new Date(Date.now() + 5).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const other = await send('message.received', 0);
    const events = await Promise.all(Array.from({ length: 50 }, (_, i) => send('message.sent', i + 1)));

    const failedCount = async () => {
      const { deliveries } = await client.deliveries.list.query({ webhook_id: webhook.id, status: 'failed', limit: 100 });
      return deliveries.length;
    };
    await expect.poll(failedCount, { timeout: 45_000, interval: 250 }).toBe(51);
    await expect
      .poll(async () => (await client.deliveries.get.query({ delivery_id: deliveryFor(otherWebhook.id, other.id) })).status, {
        timeout: 10_000,
      })
      .toBe('failed');
    fix();
    const before = receiver.requests.length;

    // HERALD_RECOVER_MAX=40: the first recover takes the 40 oldest in the window.
    const first = await client.deliveries.recover.mutate({ webhook_id: webhook.id, since });
    expect(first).toMatchObject({ webhook_id: webhook.id, since, total: 40 });
    const status = await client.deliveries.recover_status.query({ recovery_id: first.recovery_id });
    expect(status).toMatchObject({ recovery_id: first.recovery_id, webhook_id: webhook.id, total: 40 });
    expect(status.done + status.failed).toBeLessThanOrEqual(40);
    await expect
      .poll(() => client.deliveries.recover_status.query({ recovery_id: first.recovery_id }), { timeout: 30_000, interval: 250 })
      .toMatchObject({ total: 40, done: 40, failed: 0, finished: true });

    // Oldest event first (ties by delivery id): what is still failed is the 10 newest.
    const order = (e: (typeof events)[number]) => `${e.created_at}|${deliveryFor(webhook.id, e.id)}`;
    const newest = [...events].sort((a, b) => (order(a) < order(b) ? -1 : 1)).slice(40);
    const stillFailed = await client.deliveries.list.query({ webhook_id: webhook.id, status: 'failed', since, limit: 100 });
    expect(stillFailed.deliveries.map((d) => d.event_id).sort()).toEqual(newest.map((e) => e.id).sort());

    // The second takes the remaining 10.
    const second = await client.deliveries.recover.mutate({ webhook_id: webhook.id, since });
    expect(second.total).toBe(10);
    await expect
      .poll(() => client.deliveries.recover_status.query({ recovery_id: second.recovery_id }), { timeout: 30_000, interval: 250 })
      .toMatchObject({ total: 10, done: 10, failed: 0, finished: true });

    await receiver.waitFor(before + 50);
    const succeeded = async () => {
      const { deliveries } = await client.deliveries.list.query({ webhook_id: webhook.id, status: 'succeeded', limit: 100 });
      return deliveries.map((d) => d.event_id).sort();
    };
    await expect.poll(succeeded, { timeout: 30_000, interval: 250 }).toEqual(events.map((e) => e.id).sort());
    // Outside the window or another webhook: left failed.
    expect((await client.deliveries.get.query({ delivery_id: deliveryFor(webhook.id, early.id) })).status).toBe('failed');
    expect((await client.deliveries.get.query({ delivery_id: deliveryFor(otherWebhook.id, other.id) })).status).toBe('failed');
    await receiver.close();
  });

  it("hides another account's webhook and recovery, and refuses a malformed window", async () => {
    const owner = await herald.newAccount();
    const other = await herald.newAccount();
    const webhook = await owner.client.webhooks.create.mutate({ url: 'http://127.0.0.1:9/hook', event_types: ['message.sent'] });
    const since = new Date(Date.now() - 60_000).toISOString();
    expect(await errorOf(other.client.deliveries.recover.mutate({ webhook_id: webhook.id, since }))).toMatchObject({ code: 'NOT_FOUND' });
    const { recovery_id, total } = await owner.client.deliveries.recover.mutate({ webhook_id: webhook.id, since });
    expect(total).toBe(0);
    await expect.poll(() => owner.client.deliveries.recover_status.query({ recovery_id })).toMatchObject({ finished: true, total: 0 });
    expect(await errorOf(other.client.deliveries.recover_status.query({ recovery_id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      await errorOf(
        owner.client.deliveries.recover.mutate({ webhook_id: webhook.id, since, until: new Date(Date.now() - 120_000).toISOString() }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST', errors: [{ path: 'until' }] });
    expect(await errorOf(owner.client.deliveries.recover.mutate({ webhook_id: webhook.id, since: 'yesterday' }))).toMatchObject({
      code: 'BAD_REQUEST',
      errors: [{ path: 'since' }],
    });
    expect(await errorOf(owner.client.deliveries.recover_status.query({ recovery_id: 'rcv_x' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
