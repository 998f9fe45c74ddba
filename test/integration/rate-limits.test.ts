// Issue 14, item 5: amplification through batching. A tRPC batch is bounded (HERALD_MAX_BATCH) while the
// typed client still runs any number of parallel calls; test sends are limited per webhook and per
// account; the API is limited per account key (429 with Retry-After) on both faces. The limits here
// are small so that the tests reach them; the defaults are generous (see README's security section).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const MAX_BATCH = 20;
const API_LIMIT = 120;

let herald: TestHerald;
let receiver: Receiver;

beforeAll(async () => {
  herald = await startTestHerald({
    HERALD_MAX_BATCH: String(MAX_BATCH),
    HERALD_RATE_LIMIT_PER_KEY: `${API_LIMIT}/1h`,
    HERALD_RATE_LIMIT_TEST_PER_WEBHOOK: '3/1h',
    HERALD_RATE_LIMIT_TEST_PER_ACCOUNT: '5/1h',
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

async function post(path: string, apiKey: string, body: string) {
  const response = await fetch(`${herald.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text, json: JSON.parse(text) };
}

describe('tRPC batches', () => {
  it('refuses a batch of 200 webhooks.test calls without sending anything', async () => {
    const { apiKey, client } = await herald.newAccount('batcher');
    const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}/batch`, event_types: ['domain.verified'] });
    const calls = 200;
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { webhook_id: webhook.id }])));
    const answer = await post(`/trpc/${Array(calls).fill('webhooks.test').join(',')}?batch=1`, apiKey, body);
    expect(answer.status, answer.text.slice(0, 300)).toBe(400);
    expect(answer.text).toMatch(/batch/i);
    // Nothing reached the receiver: one more test send (allowed) is the only request it sees.
    await client.webhooks.test.mutate({ webhook_id: webhook.id });
    await receiver.waitFor(1);
    expect(receiver.requests.filter((r) => r.path === '/batch')).toHaveLength(1);
  });

  it('answers a batch of exactly HERALD_MAX_BATCH calls', async () => {
    const { apiKey } = await herald.newAccount('full batch');
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: MAX_BATCH }, (_, i) => [i, { limit: 1 }])));
    const query = `batch=1&input=${encodeURIComponent(body)}`;
    const response = await fetch(`${herald.url}/trpc/${Array(MAX_BATCH).fill('webhooks.list').join(',')}?${query}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(MAX_BATCH);
  });

  it('still runs Promise.all over many calls through the typed client (its batches stay within the bound)', async () => {
    const { client } = await herald.newAccount('many calls');
    const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}/many`, event_types: ['domain.verified'] });
    const answers = await Promise.all(
      Array.from({ length: 3 * MAX_BATCH + 7 }, () => client.webhooks.get.query({ webhook_id: webhook.id })),
    );
    expect(answers.every((a) => a.id === webhook.id)).toBe(true);
  });
});

describe('test sends', () => {
  it('limits test sends per webhook: 429 with Retry-After once the webhook has had its share', async () => {
    const { apiKey } = await herald.newAccount('tester');
    const create = await post(
      '/v1/webhooks',
      apiKey,
      JSON.stringify({ url: `${receiver.url}/per-webhook`, event_types: ['domain.verified'] }),
    );
    const id = create.json.id as string;
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await post(`/v1/webhooks/${id}/test`, apiKey, ''));
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200, 429, 429]);
    const refused = outcomes[3];
    expect(refused?.json).toMatchObject({ name: 'RateLimitError', reason: 'rate_limited' });
    expect(Number(refused?.retryAfter)).toBeGreaterThan(0);
    // Over tRPC too, with the header on the HTTP answer.
    const trpc = await post('/trpc/webhooks.test', apiKey, JSON.stringify({ webhook_id: id }));
    expect(trpc.status).toBe(429);
    expect(trpc.json.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    expect(Number(trpc.retryAfter)).toBeGreaterThan(0);
    expect(receiver.requests.filter((r) => r.path === '/per-webhook')).toHaveLength(3);
  });

  it('limits test sends per account, across its webhooks', async () => {
    const { client } = await herald.newAccount('many hooks');
    const hooks = await Promise.all(
      [1, 2, 3].map((n) => client.webhooks.create.mutate({ url: `${receiver.url}/per-account-${n}`, event_types: ['domain.verified'] })),
    );
    const results = [];
    for (const hook of [...hooks, ...hooks]) {
      results.push(
        await client.webhooks.test.mutate({ webhook_id: hook.id }).then(
          () => 'sent',
          (error: { data?: { httpStatus?: number } }) => error.data?.httpStatus,
        ),
      );
    }
    expect(results).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 429]);
    expect(receiver.requests.filter((r) => r.path.startsWith('/per-account-'))).toHaveLength(5);
  });
});

describe('API rate limit per key', () => {
  it('answers 429 with Retry-After on both faces once the key’s bucket is empty, and other accounts are unaffected', async () => {
    const { apiKey, client } = await herald.newAccount('busy');
    const other = await herald.newAccount('quiet');
    // A second key of the same account (this call takes the first key's first token).
    const { api_key: secondKey } = await client.api_keys.create.mutate({ name: 'second' });
    // The typed client batches these (at most HERALD_MAX_BATCH a request); every call takes a token.
    const settled = await Promise.allSettled(Array.from({ length: API_LIMIT + 9 }, () => client.webhooks.list.query({ limit: 1 })));
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(API_LIMIT - 1);
    expect(refused).toHaveLength(10);
    expect((refused[0] as PromiseRejectedResult).reason.data).toMatchObject({ httpStatus: 429, reason: 'rate_limited' });

    const rest = await fetch(`${herald.url}/v1/webhooks`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await rest.json()).toMatchObject({ name: 'RateLimitError', reason: 'rate_limited' });
    const trpc = await fetch(`${herald.url}/trpc/webhooks.list`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(trpc.status).toBe(429);
    expect(Number(trpc.headers.get('retry-after'))).toBeGreaterThan(0);

    // Another account's key has its own bucket, and so has the other key of the same account.
    await expect(other.client.webhooks.list.query({})).resolves.toMatchObject({ count: 0 });
    await expect(herald.client(secondKey).webhooks.list.query({})).resolves.toMatchObject({ count: 0 });
  });
});
