// The walking skeleton end to end on the real stack: account → webhook → publish → signed POST.
import { TRPCClientError } from '@trpc/client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryId as deliveryFor, webhookMessageId } from '../../src/domain/ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { startReceiver } from '../support/receiver.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'], subject: 'Hello' };

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald?.stop();
});

async function trpcStatus(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    return (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  }
}

describe('walking skeleton', () => {
  it('delivers a published event as a signed POST and records the attempt', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}/hook`, event_types: ['message.received'] });
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const event = await client.events.publish.mutate({ type: 'message.received', inbox_id: 'inbox_1', data: { message } });
    const [request] = await receiver.waitFor(1);
    if (!request || !webhook.secret) throw new Error('unreachable');

    const verified = new Webhook(webhook.secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({
      event: 'message.received',
      event_id: event.id,
      account_id: accountId,
      inbox_id: 'inbox_1',
      message: { id: 'msg_1', subject: 'Hello' },
    });
    expect(request.headers['webhook-id']).toBe(webhookMessageId(accountId, event.id));

    // The secret is shown at creation only.
    const fetched = await client.webhooks.get.query({ webhook_id: webhook.id });
    expect(fetched).not.toHaveProperty('secret');

    await expect
      .poll(async () => (await herald.deps.store.deliveries.get(accountId, deliveryFor(webhook.id, event.id)))?.status)
      .toBe('succeeded');
    const delivery = await herald.deps.store.deliveries.get(accountId, deliveryFor(webhook.id, event.id));
    expect(delivery?.attempts).toHaveLength(1);
    expect(delivery?.attempts[0]).toMatchObject({ status_code: 200, outcome: 'success', error: null });
    await receiver.close();
  });

  it('retries a receiver that fails twice, and succeeds on the third attempt', async () => {
    const receiver = await startReceiver((n) => (n < 2 ? { status: 503 } : { status: 200 }));
    const { client, accountId } = await herald.newAccount();
    const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.bounced'] });
    const event = await client.events.publish.mutate({
      type: 'message.bounced',
      data: { message, bounce: { type: 'hard', recipients: ['agent@example.com'] } },
    });
    const requests = await receiver.waitFor(3);
    // The same webhook-id on every attempt, so receivers can deduplicate.
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([webhookMessageId(accountId, event.id)]));
    await expect
      .poll(async () => (await herald.deps.store.deliveries.get(accountId, deliveryFor(webhook.id, event.id)))?.status)
      .toBe('succeeded');
    const delivery = await herald.deps.store.deliveries.get(accountId, deliveryFor(webhook.id, event.id));
    expect(delivery?.attempts.map((a) => a.status_code)).toEqual([503, 503, 200]);
    expect(receiver.requests).toHaveLength(3);
    await receiver.close();
  });

  it('refuses requests without a key or with a wrong key (401)', async () => {
    expect(await trpcStatus(herald.client('').webhooks.get.query({ webhook_id: 'wh_x' }))).toBe(401);
    expect(await trpcStatus(herald.client('hk_wrong').webhooks.get.query({ webhook_id: 'wh_x' }))).toBe(401);
    const { apiKey } = await herald.newAccount();
    // An account key is not the admin key.
    expect(await trpcStatus(herald.client(apiKey).accounts.create.mutate({ name: 'x' }))).toBe(401);
  });

  it("hides another account's webhook (404)", async () => {
    const owner = await herald.newAccount('owner');
    const other = await herald.newAccount('other');
    const webhook = await owner.client.webhooks.create.mutate({ url: 'http://127.0.0.1:9/hook', event_types: ['message.sent'] });
    expect(await trpcStatus(other.client.webhooks.get.query({ webhook_id: webhook.id }))).toBe(404);
    expect((await owner.client.webhooks.get.query({ webhook_id: webhook.id })).id).toBe(webhook.id);
  });

  it('answers bad input with BAD_REQUEST naming the field', async () => {
    const { client } = await herald.newAccount();
    const error = await client.webhooks.create
      .mutate({ url: 'http://127.0.0.1:9', event_types: ['message.nope' as never] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data.code).toBe('BAD_REQUEST');
    expect(error.data.errors.map((e: { path: string }) => e.path)).toContain('event_types.0');
  });
});
