// Issue 14, items 1 and 7 and two of its "also fix" findings, reproduced on the real stack through raw
// HTTP (the typed client could not send these): numbers JSON cannot hold and invalid Unicode in event
// data, query strings on body routes and unknown query parameters (`__proto__` too) on list routes,
// and a tRPC list query sent without any input.
import type { OpenApiMeta } from 'trpc-to-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../src/api/router.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald;
let apiKey: string;
let webhookId: string;

beforeAll(async () => {
  herald = await startTestHerald();
  const account = await herald.newAccount('hardening');
  apiKey = account.apiKey;
  webhookId = (
    await account.client.webhooks.create.mutate({ url: 'http://127.0.0.1:9/hook', event_types: ['domain.verified'], name: 'original' })
  ).id;
});
afterAll(async () => {
  await herald?.stop();
});

interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the assertions check the shape
  json: any;
}

async function send(method: string, path: string, body?: string, key = apiKey): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${herald.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

/** The field errors of an answer, REST (`errors`) or tRPC (`error.data.errors`). */
function fieldErrors(answer: Answer): { path: string; message: string }[] {
  return answer.json?.errors ?? answer.json?.error?.data?.errors ?? [];
}

/** An events.publish body whose `data.message` has `extra` spliced in as raw JSON text. */
function publishText(extra: string): string {
  return `{"type":"message.received","inbox_id":"inbox_1","data":{"message":{"id":"msg_1","from":"a@example.com",${extra}}}}`;
}

const FACES = [
  ['REST', '/v1/events'],
  ['tRPC', '/trpc/events.publish'],
] as const;

describe.each(FACES)('events.publish through %s', (_face, path) => {
  it.each([
    ['1e400', 'data.message.x'],
    ['-1e400', 'data.message.x'],
    ['[1, {"y": 1e999}]', 'data.message.x.1.y'],
  ])('answers a number JSON cannot hold (%s) with a 400 naming its path, never the store’s words', async (value, where) => {
    const answer = await send('POST', path, publishText(`"x":${value}`));
    expect(answer.status, answer.text).toBe(400);
    expect(fieldErrors(answer).map((e) => e.path)).toEqual([where]);
    expect(answer.text).not.toMatch(/infinit|ferret|mongo|bson/i);
  });

  it.each([
    ['a lone high surrogate in a value', '"note":"abc\\ud800"', 'data.message.note'],
    ['a lone low surrogate in a value', '"note":["ok","\\udc00x"]', 'data.message.note.1'],
    ['a lone surrogate in a key', '"\\udbff":1', 'data.message.\udbff'],
    ['a reversed pair in a nested key', '"deep":{"\\udc00\\ud800k":"v"}', 'data.message.deep.\udc00\ud800k'],
  ])('answers %s with a 400 naming its path', async (_what, extra, where) => {
    const answer = await send('POST', path, publishText(extra));
    expect(answer.status, answer.text).toBe(400);
    expect(fieldErrors(answer).map((e) => e.path)).toEqual([where]);
  });

  it('still stores well-formed Unicode, astral characters included', async () => {
    const answer = await send('POST', path, publishText('"subject":"héllo 😀 \\ud83d\\ude00","n":1e300'));
    expect(answer.status, answer.text).toBe(200);
  });
});

type ProcedureDef = { type: string; meta?: OpenApiMeta };
const routes = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>).flatMap(([name, p]) =>
  p._def.meta?.openapi ? [{ name, method: p._def.meta.openapi.method, path: p._def.meta.openapi.path }] : [],
);
const listRoutes = routes.filter((r) => r.method === 'GET' && !r.path.includes('{'));
const bodyRoutes = routes.filter((r) => r.method === 'POST' || r.method === 'PATCH' || r.method === 'PUT');

describe('REST query strings', () => {
  it('refuses a query string on a body route instead of letting it override the body', async () => {
    const answer = await send('PATCH', `/v1/webhooks/${webhookId}?name=fromquery`, '{"name":"frombody"}');
    expect(answer.status, answer.text).toBe(400);
    expect(fieldErrors(answer).map((e) => e.path)).toEqual(['name']);
    expect(answer.json.message).toMatch(/query/);
    const stored = await send('GET', `/v1/webhooks/${webhookId}`);
    expect(stored.json.name).toBe('original');
  });

  it.each(bodyRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('refuses query parameters on %s', async (_label, route) => {
    const path = route.path.replace(/\{\w+\}/g, webhookId);
    const answer = await send(route.method, `${path}?anything=1`, '{}');
    expect(answer.status, answer.text).toBe(400);
    expect(fieldErrors(answer).map((e) => e.path)).toEqual(['anything']);
  });

  it('lists every list route here', () => {
    expect(listRoutes.map((r) => r.path)).toEqual(expect.arrayContaining(['/v1/webhooks', '/v1/events', '/v1/deliveries', '/v1/api-keys']));
  });

  it.each(listRoutes.flatMap((r) => ['__proto__=1', 'constructor=1', 'bogus=1', '__proto__[x]=1'].map((q) => [r.path, q] as const)))(
    'refuses an unknown query parameter on GET %s?%s',
    async (path, query) => {
      // Admin routes (accounts, producer keys) take the admin key; the others an account's.
      const adminOnly = path.startsWith('/v1/accounts') || path.startsWith('/v1/producer-keys');
      const answer = await send('GET', `${path}?${query}`, undefined, adminOnly ? herald.adminKey : apiKey);
      expect(answer.status, answer.text).toBe(400);
      expect(fieldErrors(answer).map((e) => e.path)).toEqual([decodeURIComponent(query.split('=')[0] ?? '')]);
      expect(fieldErrors(answer)[0]?.message).toBe('is not a known field');
    },
  );
});

describe('__proto__ as a field', () => {
  it('is an unknown field in a tRPC input and in a REST body too', async () => {
    const query = await send('GET', `/trpc/webhooks.list?input=${encodeURIComponent('{"__proto__":{"limit":1}}')}`);
    expect(query.status, query.text).toBe(400);
    expect(fieldErrors(query).map((e) => e.path)).toEqual(['__proto__']);
    const body = await send('POST', '/v1/api-keys', '{"name":"k","__proto__":{"name":"x"}}');
    expect(body.status, body.text).toBe(400);
    expect(fieldErrors(body).map((e) => e.path)).toEqual(['__proto__']);
  });
});

describe('tRPC queries without input', () => {
  it('answers GET /trpc/webhooks.list with no input with the defaults, as {} does', async () => {
    const bare = await send('GET', '/trpc/webhooks.list');
    expect(bare.status, bare.text).toBe(200);
    const empty = await send('GET', `/trpc/webhooks.list?input=${encodeURIComponent('{}')}`);
    expect(bare.json.result.data).toEqual(empty.json.result.data);
    expect(bare.json.result.data).toMatchObject({ limit: 20, count: 1 });
  });

  it.each(['events.list', 'deliveries.list', 'api_keys.list'])('answers GET /trpc/%s with no input with the defaults', async (name) => {
    const bare = await send('GET', `/trpc/${name}`);
    expect(bare.status, bare.text).toBe(200);
  });

  it('still answers a query that needs input, sent without, with a 400 naming the field', async () => {
    const answer = await send('GET', '/trpc/webhooks.get');
    expect(answer.status, answer.text).toBe(400);
  });
});
