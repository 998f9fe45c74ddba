// Every speed-up's switch (docs/speed-ups.md), on the real stack: with each one off by itself, with all
// off (HERALD_SPEEDUPS=off, the plain path) and with all on, Herald delivers the same: a direct publish
// signed and recorded, a failed attempt retried on its timer, a large fan-out to every webhook, the
// webhook's statistics, a webhook change seen by the next publish and a revoked key refused at once.
import { TRPCClientError } from '@trpc/client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Speedups } from '../../src/config/env.js';
import { deliveryId, webhookMessageId } from '../../src/domain/ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

/** Each switch and the Config field it sets. */
const SWITCHES: [string, keyof Speedups][] = [
  ['HERALD_SPEEDUP_FIRST_ATTEMPTS', 'firstAttempts'],
  ['HERALD_SPEEDUP_FANOUT_PRE_ATTEMPTS', 'fanOutPreAttempts'],
  ['HERALD_SPEEDUP_SUCCESS_MEMO', 'successMemo'],
  ['HERALD_SPEEDUP_RECENT_EVENTS', 'recentEvents'],
  ['HERALD_SPEEDUP_AUTH_CACHE', 'authCache'],
  ['HERALD_SPEEDUP_WEBHOOK_MATCHER', 'webhookMatcher'],
  ['HERALD_SPEEDUP_GROUP_COMMIT', 'groupCommit'],
  ['HERALD_SPEEDUP_EAGER_START', 'eagerStart'],
  ['HERALD_SPEEDUP_VM_PATCH', 'vmPatch'],
];

const CASES: { name: string; env: Record<string, string>; off: (keyof Speedups)[] }[] = [
  { name: 'every speed-up on', env: {}, off: [] },
  { name: 'HERALD_SPEEDUPS=off', env: { HERALD_SPEEDUPS: 'off' }, off: SWITCHES.map(([, key]) => key) },
  ...SWITCHES.map(([variable, key]) => ({ name: `${variable}=off`, env: { [variable]: 'off' }, off: [key] })),
];

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'], subject: 'Hello' };

async function httpStatus(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    return (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  }
}

describe.each(CASES)('$name', ({ env, off }) => {
  let herald: TestHerald;
  let receiver: Receiver;
  // Path → replies: a path whose first request fails gets a 503 once.
  const failOnce = new Set<string>();
  beforeAll(async () => {
    // Fan-outs above 2 matches, 2 webhooks a page: the fan-out test pages.
    herald = await startTestHerald({ ...env, HERALD_DIRECT_FANOUT_MAX: '2', HERALD_FANOUT_PAGE_SIZE: '2' });
    receiver = await startReceiver((_, request) => {
      if (failOnce.delete(request.path)) return { status: 503 };
      return { status: 200 };
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await herald?.stop();
  });

  const path = () => `/hook-${Math.random().toString(36).slice(2)}`;
  const requestsTo = (p: string) => receiver.requests.filter((r) => r.path === p);

  it('is switched as asked', () => {
    for (const key of off) expect(herald.deps.config.speedups[key]).toBe(false);
    if (off.includes('firstAttempts')) expect(herald.deps.dispatch.firstAttempts).toBeUndefined();
    if (off.includes('eagerStart')) expect(herald.deps.dispatch.eagerStart).toBe(false);
  });

  it('delivers a publish signed, retries a failed attempt on its timer and records both', async () => {
    const { client, accountId } = await herald.newAccount();
    const p = path();
    failOnce.add(p);
    const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}${p}`, event_types: ['message.received'] });
    const event = await client.events.publish.mutate({ type: 'message.received', inbox_id: 'inbox_1', data: { message } });
    const id = deliveryId(webhook.id, event.id);
    await expect.poll(async () => (await herald.deps.store.deliveries.get(accountId, id))?.status).toBe('succeeded');
    const delivery = await herald.deps.store.deliveries.get(accountId, id);
    expect(delivery?.attempts.map((a) => a.status_code)).toEqual([503, 200]);
    const requests = requestsTo(p);
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.headers['webhook-id']).toBe(webhookMessageId(accountId, event.id));
      const verified = new Webhook(webhook.secret as string).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      });
      expect(verified).toMatchObject({ event: 'message.received', event_id: event.id, message: { id: 'msg_1' } });
    }
    // The health report of the success: the failure count is back to 0.
    await expect.poll(async () => (await client.webhooks.get.query({ webhook_id: webhook.id })).failure_count).toBe(0);
    expect((await client.webhooks.get.query({ webhook_id: webhook.id })).last_delivered_at).not.toBeNull();
  });

  it('fans a publish out to every matching webhook, each delivery recorded', async () => {
    const { client, accountId } = await herald.newAccount();
    const paths = [path(), path(), path(), path(), path()];
    const webhooks = await Promise.all(
      paths.map((p) => client.webhooks.create.mutate({ url: `${receiver.url}${p}`, event_types: ['message.sent'] })),
    );
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    for (const webhook of webhooks) {
      await expect
        .poll(async () => (await herald.deps.store.deliveries.get(accountId, deliveryId(webhook.id, event.id)))?.status)
        .toBe('succeeded');
    }
    for (const p of paths) expect(requestsTo(p).length).toBeGreaterThanOrEqual(1);
    for (const webhook of webhooks) {
      const delivery = await herald.deps.store.deliveries.get(accountId, deliveryId(webhook.id, event.id));
      expect(delivery?.attempts.map((a) => a.status_code)).toEqual([200]);
    }
  });

  it('sees a webhook change on the next publish and refuses a revoked key on the next request', async () => {
    const { client, accountId } = await herald.newAccount();
    const before = path();
    const after = path();
    const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}${before}`, event_types: ['message.sent'] });
    await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    await client.webhooks.update.mutate({ webhook_id: webhook.id, url: `${receiver.url}${after}`, event_types: ['message.sent'] });
    const second = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    await expect
      .poll(async () => (await herald.deps.store.deliveries.get(accountId, deliveryId(webhook.id, second.id)))?.status)
      .toBe('succeeded');
    expect(requestsTo(after).map((r) => JSON.parse(r.body).event_id)).toContain(second.id);

    const extra = await client.api_keys.create.mutate({ name: 'second' });
    const other = herald.client(extra.api_key);
    await other.events.publish.mutate({ type: 'message.sent', data: { message } });
    await client.api_keys.revoke.mutate({ api_key_id: extra.id });
    expect(await httpStatus(other.events.publish.mutate({ type: 'message.sent', data: { message } }))).toBe(401);
  });
});
