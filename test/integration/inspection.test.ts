// Reading deliveries and events back: filters, cursor pagination that holds under inserts, and tenant
// isolation, on the real stack.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryId as deliveryFor } from '../../src/domain/ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };

let herald: TestHerald;
let receiver: Receiver;
beforeAll(async () => {
  herald = await startTestHerald({ HERALD_UNHEALTHY_AFTER: '1000000' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

async function errorData(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCClientError)) throw new Error(`expected a tRPC error, got ${String(error)}`);
  return error.data as { code: string; errors?: Array<{ path: string }> };
}

/** Reads every page of a list, `limit` at a time. */
async function allPages<T>(read: (page_token: string | undefined) => Promise<{ next_page_token: string | null; items: T[] }>) {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await read(token);
    items.push(...page.items);
    token = page.next_page_token ?? undefined;
    pages++;
  } while (token);
  return { items, pages };
}

describe('deliveries.list and deliveries.get', () => {
  it('filters by webhook, event, status and time, and pages with a cursor', async () => {
    const failing = await startReceiver(() => ({ status: 500 }));
    const { client } = await herald.newAccount();
    const good = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent', 'message.received'] });
    const bad = await client.webhooks.create.mutate({ url: failing.url, event_types: ['message.sent'] });
    const start = new Date().toISOString();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await client.events.publish.mutate({ type: 'message.sent', data: { message } }));
    const received = await client.events.publish.mutate({ type: 'message.received', data: { message } });

    // 5 sent × 2 webhooks + 1 received × 1 webhook.
    const everything = await allPages(async (page_token) => {
      const page = await client.deliveries.list.query({ limit: 4, page_token });
      return { next_page_token: page.next_page_token, items: page.deliveries };
    });
    expect(everything.pages).toBe(3);
    expect(everything.items).toHaveLength(11);
    expect(new Set(everything.items.map((d) => d.id)).size).toBe(11);
    // Newest first.
    const created = everything.items.map((d) => d.created_at ?? '');
    expect(created).toEqual([...created].sort().reverse());

    const ascending = await client.deliveries.list.query({ limit: 100, ascending: true });
    expect(ascending.deliveries.map((d) => d.id)).toEqual(everything.items.map((d) => d.id).reverse());

    const forEvent = await client.deliveries.list.query({ event_id: received.id });
    expect(forEvent.deliveries.map((d) => [d.webhook_id, d.event_type])).toEqual([[good.id, 'message.received']]);

    const forBad = await client.deliveries.list.query({ webhook_id: bad.id, limit: 100 });
    expect(forBad.deliveries.map((d) => d.event_id).sort()).toEqual(sent.map((e) => e.id).sort());

    await expect
      .poll(async () => (await client.deliveries.list.query({ status: 'failed', limit: 100 })).deliveries.length, { timeout: 30_000 })
      .toBe(5);
    const failed = await client.deliveries.list.query({ status: 'failed', limit: 100 });
    expect(failed.deliveries.every((d) => d.webhook_id === bad.id && d.attempt_count === 4)).toBe(true);
    expect(failed.deliveries[0]?.last_attempt).toMatchObject({ attempt: 4, status_code: 500, outcome: 'retry', error: 'HTTP 500' });
    expect(failed.deliveries[0]).not.toHaveProperty('attempts');

    const window = await client.deliveries.list.query({ since: start, until: new Date(Date.now() + 60_000).toISOString(), limit: 100 });
    expect(window.deliveries).toHaveLength(11);
    expect((await client.deliveries.list.query({ until: start })).deliveries).toHaveLength(0);

    const one = await client.deliveries.get.query({ delivery_id: deliveryFor(bad.id, sent[0]?.id ?? '') });
    expect(one.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(one.attempts[0]).toMatchObject({ status_code: 500, response_body: 'ok', error: 'HTTP 500', started_at: expect.any(String) });
    expect(one.run_id).toEqual(expect.any(String));
    // No HERALD_TEMPORAL_UI_URL in this configuration: no link.
    expect(one.temporal_ui_url).toBeNull();
    await failing.close();
  });

  it('keeps pages stable while new deliveries arrive', async () => {
    const { client } = await herald.newAccount();
    await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    for (let i = 0; i < 4; i++) await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    const first = await client.deliveries.list.query({ limit: 2 });
    // Newer deliveries land before the cursor (newest first): the next pages are unaffected.
    for (let i = 0; i < 3; i++) await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    const second = await client.deliveries.list.query({ limit: 2, page_token: first.next_page_token ?? undefined });
    expect(second.next_page_token).toBeNull();
    const seen = [...first.deliveries, ...second.deliveries].map((d) => d.id);
    expect(new Set(seen).size).toBe(4);
  });

  it('isolates accounts and refuses bad input', async () => {
    const owner = await herald.newAccount();
    const other = await herald.newAccount();
    const webhook = await owner.client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.sent'] });
    const event = await owner.client.events.publish.mutate({ type: 'message.sent', data: { message } });
    expect((await other.client.deliveries.list.query({ webhook_id: webhook.id })).deliveries).toEqual([]);
    expect((await other.client.deliveries.list.query({ event_id: event.id })).deliveries).toEqual([]);
    expect(await errorData(other.client.deliveries.get.query({ delivery_id: deliveryFor(webhook.id, event.id) }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await errorData(other.client.events.get.query({ event_id: event.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await other.client.events.list.query({})).events).toEqual([]);

    expect(await errorData(owner.client.deliveries.list.query({ page_token: 'not-a-token' }))).toMatchObject({
      code: 'BAD_REQUEST',
      errors: [{ path: 'page_token' }],
    });
    expect(await errorData(owner.client.deliveries.list.query({ status: 'lost' as never }))).toMatchObject({
      code: 'BAD_REQUEST',
      errors: [{ path: 'status' }],
    });
    expect(await errorData(owner.client.deliveries.list.query({ limit: 500 }))).toMatchObject({ errors: [{ path: 'limit' }] });
    expect(await errorData(owner.client.deliveries.list.query({ extra: 1 } as never))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorData(owner.client.events.list.query({ since: '2030-01-02T00:00:00Z', until: '2030-01-01T00:00:00Z' }))).toMatchObject(
      { errors: [{ path: 'until' }] },
    );
  });
});

describe('events.get and events.list', () => {
  it('reads an event back and lists them by type, inbox and time, a page at a time', async () => {
    const { client, accountId } = await herald.newAccount();
    const a = await client.events.publish.mutate({ type: 'message.sent', inbox_id: 'inbox_1', data: { message } });
    const b = await client.events.publish.mutate({ type: 'message.received', inbox_id: 'inbox_2', pod_id: 'pod_1', data: { message } });
    const c = await client.events.publish.mutate({ type: 'message.sent', event_id: 'producer:42', data: { message } });

    expect(await client.events.get.query({ event_id: 'producer:42' })).toEqual(c);
    expect(await client.events.get.query({ event_id: b.id })).toMatchObject({
      id: b.id,
      account_id: accountId,
      type: 'message.received',
      inbox_id: 'inbox_2',
      pod_id: 'pod_1',
      data: { message: { id: 'msg_1' } },
    });
    expect(await errorData(client.events.get.query({ event_id: 'evt_unknown' }))).toMatchObject({ code: 'NOT_FOUND' });

    const pages = await allPages(async (page_token) => {
      const page = await client.events.list.query({ limit: 2, page_token });
      return { next_page_token: page.next_page_token, items: page.events };
    });
    expect(pages.items.map((e) => e.id)).toEqual([c.id, b.id, a.id]);
    expect((await client.events.list.query({ type: 'message.sent', ascending: true })).events.map((e) => e.id)).toEqual([a.id, c.id]);
    expect((await client.events.list.query({ inbox_id: 'inbox_2' })).events.map((e) => e.id)).toEqual([b.id]);
    expect((await client.events.list.query({ since: c.created_at ?? '' })).events.map((e) => e.id)).toEqual([c.id]);
  });
});
