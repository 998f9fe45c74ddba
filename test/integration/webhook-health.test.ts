// The per-webhook health workflow on the real stack: unhealthy after N consecutive failures (and the
// account told, signed), parking instead of sending, enable releasing in publish order, manual
// disable, 410 Gone, a success resetting the count, delete cancelling what was parked.
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryId } from '../../src/domain/ids.js';
import { DAIMON_EXAMPLES } from '../support/daimon-examples.js';
import { deliveryStatus, eventIds, healthHandle, message, switchableReceiver, waitForStatus } from '../support/health.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { startReceiver } from '../support/receiver.js';

let herald: TestHerald;
beforeAll(async () => {
  // Four attempts per delivery; five consecutive failures make a webhook unhealthy.
  herald = await startTestHerald({ HERALD_UNHEALTHY_AFTER: '5', HERALD_RETRY_SCHEDULE: '200ms,200ms,200ms' });
});
afterAll(async () => {
  await herald?.stop();
});

type Client = Awaited<ReturnType<TestHerald['newAccount']>>['client'];

async function publish(client: Client, n = 1): Promise<string[]> {
  const ids: string[] = [];
  // One after the other: each event is published after the previous one, which fixes their order.
  for (let i = 0; i < n; i++) ids.push((await client.events.publish.mutate({ type: 'message.received', data: { message } })).id);
  return ids;
}

describe('webhook health', () => {
  it('marks a webhook unhealthy after 5 consecutive failures, tells the account, parks, and releases in order on enable', async () => {
    const failing = await switchableReceiver({ status: 500 });
    const watcher = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    // The failing webhook subscribes to webhook.unhealthy too: it must not be sent its own.
    const hook = await client.webhooks.create.mutate({ url: failing.url, event_types: ['message.received', 'webhook.unhealthy'] });
    const other = await client.webhooks.create.mutate({ url: watcher.url, event_types: ['webhook.unhealthy'] });

    const early = await publish(client, 2);
    await expect.poll(async () => (await client.webhooks.get.query({ webhook_id: hook.id })).status, { timeout: 30_000 }).toBe('unhealthy');
    const unhealthy = await client.webhooks.get.query({ webhook_id: hook.id });
    expect(unhealthy.failure_count).toBeGreaterThanOrEqual(5);
    expect(unhealthy).toMatchObject({ last_error: 'HTTP 500', last_failure_at: expect.any(String) });
    // The workflow's own state follows once the activity that wrote MongoDB has completed.
    await expect.poll(() => herald.deps.lifecycle.health(accountId, hook.id)).toMatchObject({ status: 'unhealthy', unhealthy_after: 5 });

    // The other webhook gets webhook.unhealthy, signed with its own secret.
    const [notice] = await watcher.waitFor(1);
    if (!notice || !other.secret) throw new Error('unreachable');
    const payload = new Webhook(other.secret).verify(notice.body, {
      'webhook-id': String(notice.headers['webhook-id']),
      'webhook-timestamp': String(notice.headers['webhook-timestamp']),
      'webhook-signature': String(notice.headers['webhook-signature']),
    }) as { event_id: string; webhook: Record<string, unknown> & { failure_count: number } };
    expect(payload).toMatchObject({
      event: 'webhook.unhealthy',
      account_id: accountId,
      webhook_id: hook.id,
      webhook: {
        id: hook.id,
        url: failing.url,
        events: ['message.received', 'webhook.unhealthy'],
        status: 'unhealthy',
        last_error: 'HTTP 500',
        last_success_at: null,
        last_failure_at: expect.any(String),
        // Herald's own field from before, kept beside daimon's `events`.
        event_types: ['message.received', 'webhook.unhealthy'],
      },
    });
    expect(payload.webhook.failure_count).toBeGreaterThanOrEqual(5);
    // daimon's documented example, field for field: the same top-level and `webhook` fields, in order.
    const documented = DAIMON_EXAMPLES['webhook.unhealthy'];
    expect(Object.keys(payload)).toEqual(Object.keys(documented));
    expect(Object.keys(payload.webhook).slice(0, Object.keys(documented.webhook).length)).toEqual(Object.keys(documented.webhook));
    expect(await herald.deps.store.deliveries.get(accountId, deliveryId(hook.id, payload.event_id))).toBeNull();

    // Once everything is parked (or spent its attempts before the status changed), nothing more is sent.
    await waitForStatus(herald, accountId, hook.id, early, ['parked', 'failed']);
    const sentBefore = failing.requests.length;
    const held = await publish(client, 3);
    await waitForStatus(herald, accountId, hook.id, held, ['parked']);
    expect(failing.requests.length).toBe(sentBefore);
    expect(eventIds(failing)).not.toContain(payload.event_id);

    // Back up, and slow: the release takes a while, so an event published right after the enable
    // would overtake the parked ones if new deliveries were not held behind them.
    failing.answer({ status: 200, delayMs: 150 });
    const parkedEarly = [];
    for (const id of early) if ((await deliveryStatus(herald, accountId, hook.id, id)) === 'parked') parkedEarly.push(id);
    const enabled = await client.webhooks.enable.mutate({ webhook_id: hook.id });
    expect(enabled).toMatchObject({ status: 'active', failure_count: 0, resumed_deliveries: parkedEarly.length + 3 });
    const [late] = await publish(client, 1);

    const expected = [...parkedEarly, ...held, late as string];
    await failing.waitFor(sentBefore + expected.length);
    expect(eventIds(failing, sentBefore)).toEqual(expected);
    await waitForStatus(herald, accountId, hook.id, expected, ['succeeded']);
    // `resuming` clears after the release's last page, which can come after the last delivery's record: poll.
    await expect
      .poll(() => herald.deps.lifecycle.health(accountId, hook.id))
      .toMatchObject({ status: 'active', failure_count: 0, resuming: false });
    await Promise.all([failing.close(), watcher.close()]);
  });

  it('parks every delivery of a disabled webhook and sends them, in order, when enabled', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
    await publish(client, 1);
    await receiver.waitFor(1);

    expect(await client.webhooks.disable.mutate({ webhook_id: hook.id })).toMatchObject({ status: 'disabled', enabled: false });
    const held = await publish(client, 3);
    await waitForStatus(herald, accountId, hook.id, held, ['parked']);
    expect(receiver.requests).toHaveLength(1);
    expect(await herald.deps.lifecycle.health(accountId, hook.id)).toMatchObject({ status: 'disabled' });
    // What an operator filters by in the Temporal UI.
    const query = `WebhookId = "${hook.id}" AND DeliveryStatus = "parked"`;
    await expect
      .poll(async () => {
        let runs = 0;
        for await (const _ of herald.deps.temporal.workflow.list({ query })) runs++;
        return runs;
      })
      .toBe(3);

    const enabled = await client.webhooks.enable.mutate({ webhook_id: hook.id });
    expect(enabled).toMatchObject({ status: 'active', enabled: true, resumed_deliveries: 3 });
    await receiver.waitFor(4);
    expect(eventIds(receiver, 1)).toEqual(held);
    await waitForStatus(herald, accountId, hook.id, held, ['succeeded']);
    await receiver.close();
  });

  it('disables a webhook whose receiver answers 410 Gone, and parks what follows', async () => {
    const receiver = await switchableReceiver({ status: 410 });
    const { client, accountId } = await herald.newAccount();
    const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
    const [gone] = await publish(client, 1);
    await expect.poll(async () => (await client.webhooks.get.query({ webhook_id: hook.id })).status, { timeout: 30_000 }).toBe('disabled');
    expect(await client.webhooks.get.query({ webhook_id: hook.id })).toMatchObject({ enabled: false, last_error: 'HTTP 410' });
    expect(await deliveryStatus(herald, accountId, hook.id, gone as string)).toBe('failed');

    const held = await publish(client, 1);
    await waitForStatus(herald, accountId, hook.id, held, ['parked']);
    expect(receiver.requests).toHaveLength(1);

    receiver.answer({ status: 200 });
    expect(await client.webhooks.enable.mutate({ webhook_id: hook.id })).toMatchObject({ status: 'active', resumed_deliveries: 1 });
    await receiver.waitFor(2);
    expect(eventIds(receiver, 1)).toEqual(held);
    await receiver.close();
  });

  it('resets the count on a success: 4 failures, 1 success, 4 failures leave the webhook active', async () => {
    const receiver = await switchableReceiver({ status: 503 });
    const { client, accountId } = await herald.newAccount();
    const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });

    const first = await publish(client, 1);
    await waitForStatus(herald, accountId, hook.id, first, ['failed']);
    receiver.answer({ status: 200 });
    const ok = await publish(client, 1);
    await waitForStatus(herald, accountId, hook.id, ok, ['succeeded']);
    receiver.answer({ status: 503 });
    const second = await publish(client, 1);
    await waitForStatus(herald, accountId, hook.id, second, ['failed']);

    expect(receiver.requests.map((r) => JSON.parse(r.body).event_id)).toEqual([
      ...Array(4).fill(first[0]),
      ok[0],
      ...Array(4).fill(second[0]),
    ]);
    expect(await client.webhooks.get.query({ webhook_id: hook.id })).toMatchObject({ status: 'active', failure_count: 4 });
    await expect.poll(() => herald.deps.lifecycle.health(accountId, hook.id)).toMatchObject({ status: 'active', failure_count: 4 });
    await receiver.close();
  });

  it('ends the health workflow on delete and cancels the parked deliveries without sending them', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    // Created disabled: everything parks from the start.
    const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'], enabled: false });
    const held = await publish(client, 2);
    await waitForStatus(herald, accountId, hook.id, held, ['parked']);

    await client.webhooks.delete.mutate({ webhook_id: hook.id });
    expect(await healthHandle(herald, hook.id).result()).toEqual({ ended: 'deleted' });
    await waitForStatus(herald, accountId, hook.id, held, ['cancelled']);
    for (const eventId of held) {
      const run = herald.deps.temporal.workflow.getHandle(`delivery:${hook.id}:${eventId}`);
      expect(await run.result()).toMatchObject({ status: 'cancelled' });
    }
    expect(receiver.requests).toHaveLength(0);
    await receiver.close();
  });

  it('disables on a 410 whose report starts the health workflow (its state already holds that report)', async () => {
    const receiver = await switchableReceiver({ status: 410 });
    const { client, accountId } = await herald.newAccount();
    const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
    await healthHandle(herald, hook.id).terminate('so that the 410 report starts it');
    // The attempt writes the statistics, then its report signals-with-start the workflow, whose first
    // step loads those statistics: the report's seq is already in its state.
    await publish(client, 1);
    await expect.poll(async () => (await client.webhooks.get.query({ webhook_id: hook.id })).status, { timeout: 30_000 }).toBe('disabled');
    // The store says disabled once the activity wrote it; the workflow's own state follows when the
    // activity's result comes back to it: poll.
    await expect.poll(() => herald.deps.lifecycle.health(accountId, hook.id)).toMatchObject({ status: 'disabled' });
    await receiver.close();
  });

  it('starts a health workflow on demand for a webhook that has none (created before, or terminated)', async () => {
    const receiver = await switchableReceiver({ status: 500 });
    const { client, accountId } = await herald.newAccount();
    const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
    await healthHandle(herald, hook.id).terminate('simulating a webhook from before health workflows');

    // A failure report signals-with-start it; it loads the webhook's state from MongoDB.
    const events = await publish(client, 1);
    await waitForStatus(herald, accountId, hook.id, events, ['failed']);
    await expect.poll(() => herald.deps.lifecycle.health(accountId, hook.id)).toMatchObject({ status: 'active', failure_count: 4 });

    // An enable or disable updates-with-start it just the same.
    await healthHandle(herald, hook.id).terminate('again');
    expect(await client.webhooks.disable.mutate({ webhook_id: hook.id })).toMatchObject({ status: 'disabled' });
    expect(await herald.deps.lifecycle.health(accountId, hook.id)).toMatchObject({ status: 'disabled', failure_count: 4 });
    await receiver.close();
  });
});
