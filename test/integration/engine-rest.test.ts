// The delivery engine's procedures through the REST face, on the real stack: publish → list deliveries →
// get → replay a failed one → recover → recover status, plus events.get/list, with plain HTTP requests
// the way a non-TypeScript caller makes them (query strings, path parameters, JSON bodies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryId as deliveryFor, webhookMessageId } from '../../src/domain/ids.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Reply, startReceiver } from '../support/receiver.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };
const UI = 'http://127.0.0.1:8233';

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald({
    // Two attempts per run: a failing receiver fails its deliveries quickly.
    HERALD_RETRY_SCHEDULE: '100ms',
    HERALD_TEMPORAL_UI_URL: UI,
    // Failing on purpose here: keep the health workflow from parking these deliveries.
    HERALD_UNHEALTHY_AFTER: '1000000',
  });
});
afterAll(async () => {
  await herald?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: REST answers are JSON; the assertions check their shape.
type Json = any;

/** One REST request as `apiKey`; `query` values are URL-encoded, as any HTTP client does. */
async function rest(
  apiKey: string,
  method: string,
  path: string,
  options: { body?: unknown; query?: Record<string, string | number | boolean> } = {},
): Promise<{ status: number; body: Json }> {
  const url = new URL(`${herald.url}${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.append(key, String(value));
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: response.status, body: await response.json() };
}

/** The body of a request that must answer 200. */
async function ok(request: Promise<{ status: number; body: Json }>): Promise<Json> {
  const { status, body } = await request;
  if (status !== 200) throw new Error(`expected 200, got ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** The same instant written with a +hh:00 offset instead of Z. */
function withOffset(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString().replace('Z', `+${String(hours).padStart(2, '0')}:00`);
}

describe('the delivery engine over REST', () => {
  it('publish → list deliveries → get → replay a failed one → recover → recover status', async () => {
    const state = { fixed: false };
    const broken = await startReceiver((): Reply => ({ status: state.fixed ? 200 : 500 }));
    const good = await startReceiver();
    const { apiKey, client } = await herald.newAccount();
    const call = (method: string, path: string, options?: Parameters<typeof rest>[3]) => ok(rest(apiKey, method, path, options));

    const goodHook = await call('POST', '/v1/webhooks', { body: { url: good.url, event_types: ['message.sent'] } });
    const badHook = await call('POST', '/v1/webhooks', { body: { url: broken.url, event_types: ['message.sent'] } });
    const since = new Date().toISOString();

    // POST /v1/events, GET /v1/events/{event_id}, GET /v1/events
    const first = await call('POST', '/v1/events', { body: { type: 'message.sent', event_id: 'order:1', data: { message } } });
    const second = await call('POST', '/v1/events', { body: { type: 'message.sent', data: { message } } });
    expect(first).toMatchObject({ id: 'order:1', type: 'message.sent', data: { message } });
    expect(await call('GET', '/v1/events/order%3A1')).toEqual(first);
    const page1 = await call('GET', '/v1/events', { query: { type: 'message.sent', ascending: true, limit: 1 } });
    expect(page1).toMatchObject({ limit: 1, events: [first], next_page_token: expect.any(String) });
    const page2 = await call('GET', '/v1/events', {
      query: { type: 'message.sent', ascending: true, limit: 1, page_token: page1.next_page_token },
    });
    expect(page2).toEqual({ limit: 1, events: [second], next_page_token: null });

    // GET /v1/deliveries: filters and pages.
    const listed = (query: Record<string, string | number | boolean>) => call('GET', '/v1/deliveries', { query });
    await expect
      .poll(async () => (await listed({ webhook_id: badHook.id, status: 'failed' })).deliveries.length, { timeout: 20_000 })
      .toBe(2);
    await expect.poll(async () => (await listed({ webhook_id: goodHook.id, status: 'succeeded' })).deliveries.length).toBe(2);
    const window = { since: withOffset(since, 2), until: new Date(Date.now() + 60_000).toISOString(), status: 'succeeded' };
    const deliveries1 = await listed({ ...window, ascending: true, limit: 1 });
    expect(deliveries1.deliveries).toEqual([
      expect.objectContaining({ id: deliveryFor(goodHook.id, first.id), event_id: first.id, status: 'succeeded', attempt_count: 1 }),
    ]);
    expect(deliveries1.deliveries[0].last_attempt).toMatchObject({ attempt: 1, status_code: 200, outcome: 'success' });
    const deliveries2 = await listed({ ...window, ascending: true, limit: 1, page_token: deliveries1.next_page_token });
    expect(deliveries2.deliveries.map((d: Json) => d.event_id)).toEqual([second.id]);
    expect(deliveries2.next_page_token).toBeNull();
    expect((await listed({ event_id: first.id })).deliveries.map((d: Json) => d.webhook_id).sort()).toEqual(
      [badHook.id, goodHook.id].sort(),
    );

    // GET /v1/deliveries/{delivery_id}: every attempt, the run and its link; the same answer as tRPC.
    const failedId = deliveryFor(badHook.id, first.id);
    const workflowId = deliveryWorkflowId(badHook.id, first.id);
    const failed = await call('GET', `/v1/deliveries/${failedId}`);
    expect(failed).toMatchObject({ id: failedId, webhook_id: badHook.id, event_id: first.id, status: 'failed', workflow_id: workflowId });
    expect(failed.attempts.map((a: Json) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
    ]);
    expect(failed.temporal_ui_url).toBe(`${UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${failed.run_id}/history`);
    expect(await client.deliveries.get.query({ delivery_id: failedId })).toEqual(failed);

    // POST /v1/deliveries/{delivery_id}/replay, once the receiver is fixed.
    state.fixed = true;
    const replay = await call('POST', `/v1/deliveries/${failedId}/replay`);
    expect(replay).toEqual({ id: failedId, workflow_id: workflowId, run_id: expect.any(String), status: 'pending' });
    expect(replay.run_id).not.toBe(failed.run_id);
    await expect.poll(async () => (await call('GET', `/v1/deliveries/${failedId}`)).status, { timeout: 20_000 }).toBe('succeeded');
    const replayed = await call('GET', `/v1/deliveries/${failedId}`);
    expect(replayed.attempts.map((a: Json) => a.status_code)).toEqual([500, 500, 200]);
    expect(replayed.run_id).toBe(replay.run_id);

    // POST /v1/webhooks/{webhook_id}/recover: the other failed delivery; GET /v1/recoveries/{recovery_id}.
    const recovery = await call('POST', `/v1/webhooks/${badHook.id}/recover`, { body: { since } });
    expect(recovery).toEqual({
      recovery_id: expect.stringMatching(/^rcv_/),
      webhook_id: badHook.id,
      since,
      until: expect.any(String),
      total: 1,
    });
    await expect
      .poll(() => call('GET', `/v1/recoveries/${recovery.recovery_id}`), { timeout: 20_000 })
      .toEqual({ ...recovery, done: 1, failed: 0, finished: true });
    const recoveredId = deliveryFor(badHook.id, second.id);
    await expect.poll(async () => (await call('GET', `/v1/deliveries/${recoveredId}`)).status, { timeout: 20_000 }).toBe('succeeded');
    expect((await listed({ webhook_id: badHook.id, status: 'failed' })).deliveries).toEqual([]);
    // Each event reached the fixed receiver once more, with its own webhook-id.
    expect(
      broken.requests
        .slice(-2)
        .map((r) => r.headers['webhook-id'])
        .sort(),
    ).toEqual([first.id, second.id].map((id) => webhookMessageId(first.account_id, id)).sort());
    await Promise.all([broken.close(), good.close()]);
  });

  it('reads dates, enums, booleans and numbers in query strings exactly, on refined inputs too', async () => {
    const receiver = await startReceiver();
    const { apiKey } = await herald.newAccount();
    await ok(rest(apiKey, 'POST', '/v1/webhooks', { body: { url: receiver.url, event_types: ['message.sent'] } }));
    const events = [];
    for (let i = 0; i < 3; i++)
      events.push(await ok(rest(apiKey, 'POST', '/v1/events', { body: { type: 'message.sent', data: { message } } })));
    const [a, b, c] = events;
    await receiver.waitFor(3);

    const get = (path: string, query: Record<string, string | number | boolean>) => rest(apiKey, 'GET', path, { query });
    const ids = async (query: Record<string, string | number | boolean>) =>
      (await ok(get('/v1/events', query))).events.map((e: Json) => e.id);
    expect(await ids({ ascending: false })).toEqual([c.id, b.id, a.id]);
    expect(await ids({ ascending: true, limit: 2 })).toEqual([a.id, b.id]);
    // A date with an offset is the same instant as in Z.
    expect(await ids({ since: withOffset(c.created_at, 2) })).toEqual([c.id]);
    expect(await ids({ until: withOffset(b.created_at, 5), ascending: true })).toEqual([a.id]);
    expect(await ids({ type: 'message.sent', since: a.created_at, until: c.created_at })).toEqual([b.id, a.id]);

    // Raw query strings, as typed by hand.
    const raw = async (query: string) => {
      const response = await fetch(`${herald.url}/v1/deliveries?${query}`, { headers: { authorization: `Bearer ${apiKey}` } });
      return { status: response.status, body: (await response.json()) as Json };
    };
    await expect.poll(async () => (await raw('status=succeeded')).body.deliveries?.length).toBe(3);
    expect((await raw('status=succeeded&ascending=false&limit=1')).body).toMatchObject({ limit: 1, deliveries: [{ event_id: c.id }] });
    const fields = async (query: string) => {
      const { status, body } = await raw(query);
      return { status, fields: (body.errors ?? []).map((e: { path: string }) => e.path) };
    };
    expect(await fields('ascending=1')).toEqual({ status: 400, fields: ['ascending'] });
    expect(await fields('limit=1.5')).toEqual({ status: 400, fields: ['limit'] });
    expect(await fields('limit=ten')).toEqual({ status: 400, fields: ['limit'] });
    expect(await fields('status=Succeeded')).toEqual({ status: 400, fields: ['status'] });
    expect(await fields('status=succeeded&status=failed')).toEqual({ status: 400, fields: ['status'] });
    expect(await fields(`since=${encodeURIComponent(c.created_at)}&until=${encodeURIComponent(a.created_at)}`)).toEqual({
      status: 400,
      fields: ['until'],
    });
    // An unencoded `+` is a space in a query string: the offset must be sent as %2B.
    expect(await fields(`since=${withOffset(c.created_at, 2)}`)).toEqual({ status: 400, fields: ['since'] });
    expect((await raw(`since=${encodeURIComponent(withOffset(c.created_at, 2))}`)).body.deliveries.map((d: Json) => d.event_id)).toEqual([
      c.id,
    ]);
    await receiver.close();
  });
});
