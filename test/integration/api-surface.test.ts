// The API's surface through both faces on the real stack: the OpenAPI document, a table of bad inputs
// (each answer names the failing field), malformed requests (never a 500), API keys (shown once,
// revocation immediate), authentication, and cross-account isolation on every route.
import type { OpenApiMeta } from 'trpc-to-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleReceiver } from '../../examples/receiver.js';
import { appRouter } from '../../src/api/router.js';
import { BUILT_IN_EVENT_TYPE_NAMES } from '../../src/domain/event-catalogue.js';
import { deliveryId as deliveryFor } from '../../src/domain/ids.js';
import { type Face, ok, restFace, trpcFace } from '../support/faces.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

let herald: TestHerald;
let receiver: Receiver;
const faces: Record<string, Face> = {};
beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await startReceiver();
  faces.tRPC = trpcFace(herald.url);
  faces.REST = restFace(herald.url);
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

const hook = () => ({ url: `${receiver.url}/hook`, event_types: ['message.sent' as const] });
/** For inputs built before the receiver exists; nothing is ever sent there. */
const HOOK = { url: 'http://127.0.0.1:9/hook', event_types: ['message.sent' as const] };
const WEBHOOK_ID = 'wh_00000000000000000000000000';
const DELIVERY_ID = 'dlv_00000000000000000000000000';
const RECOVERY_ID = 'rcv_00000000000000000000000000';
const SINCE = '2030-01-02T00:00:00Z';
const BEFORE_SINCE = '2030-01-01T00:00:00Z';
const message = { id: 'm1', from: 'a@example.com', to: ['b@example.com'] };

type Schema = { properties?: Record<string, unknown>; additionalProperties?: unknown };
type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};

/**
 * Every query and mutation of the router, with its REST route when it has one. (The one subscription,
 * listen.requests, answers as a stream: test/integration/cli-listen.test.ts checks its key and tenancy.)
 */
const PROCEDURES = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: OpenApiMeta } }>)
  .filter(([, p]) => p._def.type !== 'subscription')
  .map(([name, p]) => ({ name, openapi: p._def.meta?.openapi }));

describe('the OpenAPI document', () => {
  it('is served without a key and lists every route of the issue', async () => {
    const response = await fetch(`${herald.url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    // The compat faces (docs/compat.md) are hand-documented beside the procedures: compat-faces.test.ts checks them.
    const v1Paths = Object.entries(document.paths).filter(([path]) => !path.startsWith('/compat/'));
    const routes = v1Paths.flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      expect.arrayContaining([
        'POST /v1/webhooks',
        'GET /v1/webhooks',
        'GET /v1/webhooks/{webhook_id}',
        'PATCH /v1/webhooks/{webhook_id}',
        'DELETE /v1/webhooks/{webhook_id}',
        'POST /v1/webhooks/{webhook_id}/enable',
        'POST /v1/webhooks/{webhook_id}/disable',
        'POST /v1/webhooks/{webhook_id}/rotate-secret',
        'POST /v1/webhooks/{webhook_id}/test',
        'GET /v1/event-types',
        'POST /v1/api-keys',
        'GET /v1/api-keys',
        'DELETE /v1/api-keys/{api_key_id}',
        'POST /v1/accounts',
        'GET /v1/accounts',
        'GET /v1/accounts/{account_id}',
        'POST /v1/producer-keys',
        'GET /v1/producer-keys',
        'DELETE /v1/producer-keys/{producer_key_id}',
        'POST /v1/events',
        'GET /v1/events',
        'GET /v1/events/{event_id}',
        'GET /v1/deliveries',
        'GET /v1/deliveries/{delivery_id}',
        'POST /v1/deliveries/{delivery_id}/replay',
        'POST /v1/webhooks/{webhook_id}/recover',
        'GET /v1/recoveries/{recovery_id}',
      ]),
    );
    // Generic: every procedure with OpenAPI metadata is in the document, whoever added it.
    const withMeta = Object.values(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: OpenApiMeta } }>)
      .map((p) => p._def.meta?.openapi)
      .filter((o) => o !== undefined)
      .map((o) => `${o.method} ${o.path}`);
    expect(routes).toEqual(expect.arrayContaining(withMeta));
    expect(routes).toHaveLength(withMeta.length);
    // Request bodies reject unknown fields, and errors are Herald's { name, message, errors }.
    const create = document.paths['/v1/webhooks']?.post as {
      requestBody: { content: { 'application/json': { schema: { additionalProperties: boolean } } } };
      parameters: { name: string; in: string }[];
      responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }>;
    };
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    expect(create.responses['400']?.content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    // Every answer is documented by its view schema, and every body says unknown fields are refused
    // (refined inputs such as deliveries.recover's included).
    for (const [path, item] of v1Paths) {
      for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
        const route = `${method.toUpperCase()} ${path}`;
        const answer = operation.responses['200']?.content?.['application/json']?.schema;
        expect({ route, properties: Object.keys(answer?.properties ?? {}).length > 0 }).toEqual({ route, properties: true });
        const body = operation.requestBody?.content['application/json']?.schema;
        if (body) expect({ route, additionalProperties: body.additionalProperties }).toEqual({ route, additionalProperties: false });
      }
    }
    const delivery = document.paths['/v1/deliveries/{delivery_id}']?.get as Operation;
    expect(Object.keys(delivery.responses['200']?.content?.['application/json']?.schema?.properties ?? {})).toEqual(
      expect.arrayContaining(['attempts', 'run_id', 'temporal_ui_url', 'status', 'workflow_id']),
    );
    const list = document.paths['/v1/deliveries']?.get as Operation;
    expect(list.parameters?.map((p) => `${p.in} ${p.name}`)).toEqual(
      expect.arrayContaining(['query webhook_id', 'query event_id', 'query status', 'query since', 'query until', 'query page_token']),
    );
  });
});

describe('event_types.list', () => {
  it.each(['tRPC', 'REST'])('serves every type with a description and a JSON Schema, no key needed (%s)', async (name) => {
    const { event_types } = ok(await (faces[name] as Face).call(undefined, 'event_types.list'));
    expect(event_types.map((t: { type: string }) => t.type)).toEqual(BUILT_IN_EVENT_TYPE_NAMES);
    const received = event_types.find((t: { type: string }) => t.type === 'message.received');
    expect(received).toMatchObject({
      description: expect.any(String),
      emitted_by_herald: false,
      built_in: true,
      archived: false,
      scope: 'message',
      schema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        anyOf: [
          {
            type: 'object',
            required: ['message'],
            properties: { message: { type: 'object', required: expect.arrayContaining(['id', 'from']) } },
          },
          { type: 'object', required: ['message'] },
        ],
      },
    });
    expect(event_types.find((t: { type: string }) => t.type === 'webhook.unhealthy')).toMatchObject({
      emitted_by_herald: true,
      scope: 'account',
    });
  });
});

// Each row: a procedure, the field the answer must name, and an input that is wrong in that field.
const BAD_INPUTS: [string, string, Record<string, unknown>][] = [
  ['webhooks.create', 'url', { event_types: ['message.sent'] }],
  ['webhooks.create', 'url', { ...HOOK, url: 'ftp://example.com/hook' }],
  ['webhooks.create', 'url', { ...HOOK, url: 'not a url' }],
  ['webhooks.create', 'url', { ...HOOK, url: `https://x.example/${'a'.repeat(2_100)}` }],
  ['webhooks.create', 'event_types', { ...HOOK, event_types: [] }],
  ['webhooks.create', 'event_types.0', { ...HOOK, event_types: ['message.nope'] }],
  ['webhooks.create', 'event_types', { ...HOOK, event_types: ['message.sent', 'message.sent'] }],
  ['webhooks.create', 'inbox_ids', { ...HOOK, inbox_ids: Array.from({ length: 11 }, (_, i) => `i${i}`) }],
  ['webhooks.create', 'pod_ids', { ...HOOK, pod_ids: ['p', 'p'] }],
  ['webhooks.create', 'inbox_ids.0', { ...HOOK, inbox_ids: [''] }],
  ['webhooks.create', 'name', { ...HOOK, name: '   ' }],
  ['webhooks.create', 'name', { ...HOOK, name: 'n'.repeat(256) }],
  ['webhooks.create', 'client_id', { ...HOOK, client_id: '' }],
  ['webhooks.create', 'enabled', { ...HOOK, enabled: 'yes' }],
  ['webhooks.create', 'secret', { ...HOOK, secret: 'whsec_mine' }],
  ['webhooks.list', 'limit', { limit: 0 }],
  ['webhooks.list', 'limit', { limit: 101 }],
  ['webhooks.list', 'limit', { limit: 'many' }],
  ['webhooks.list', 'status', { status: 'sleeping' }],
  ['webhooks.list', 'event_type', { event_type: 'message.nope' }],
  ['webhooks.list', 'page_token', { page_token: 'not-a-token' }],
  ['webhooks.list', 'sort', { sort: 'name' }],
  ['webhooks.get', 'webhook_id', { webhook_id: 'x'.repeat(65) }],
  ['webhooks.update', 'event_types', { webhook_id: WEBHOOK_ID, event_types: [] }],
  ['webhooks.update', 'add_inbox_ids', { webhook_id: WEBHOOK_ID, add_inbox_ids: Array.from({ length: 11 }, (_, i) => `i${i}`) }],
  ['webhooks.update', 'enabled', { webhook_id: WEBHOOK_ID, enabled: 1 }],
  ['webhooks.update', 'inbox_ids', { webhook_id: WEBHOOK_ID, inbox_ids: ['x'] }],
  ['webhooks.rotate_secret', 'grace_period_seconds', { webhook_id: WEBHOOK_ID, grace_period_seconds: -1 }],
  ['webhooks.rotate_secret', 'grace_period_seconds', { webhook_id: WEBHOOK_ID, grace_period_seconds: 604_801 }],
  ['webhooks.rotate_secret', 'grace_period_seconds', { webhook_id: WEBHOOK_ID, grace_period_seconds: 1.5 }],
  ['api_keys.create', 'name', { name: '' }],
  ['api_keys.create', 'name', {}],
  ['events.publish', 'data.message.from', { type: 'message.received', data: { message: { id: 'm1' } } }],
  ['events.publish', 'type', { type: 'webhook.test', data: {} }],
  ['events.publish', 'event_id', { type: 'message.received', data: { message }, event_id: 'has spaces' }],
  ['events.get', 'event_id', { event_id: 'has spaces' }],
  ['events.list', 'type', { type: 'message.nope' }],
  ['events.list', 'limit', { limit: 101 }],
  ['events.list', 'ascending', { ascending: 'maybe' }],
  ['events.list', 'since', { since: 'yesterday' }],
  ['events.list', 'until', { since: SINCE, until: BEFORE_SINCE }],
  ['events.list', 'page_token', { page_token: 'not-a-token' }],
  ['events.list', 'sort', { sort: 'type' }],
  ['deliveries.list', 'limit', { limit: 0 }],
  ['deliveries.list', 'limit', { limit: 'many' }],
  ['deliveries.list', 'ascending', { ascending: 'maybe' }],
  ['deliveries.list', 'status', { status: 'lost' }],
  ['deliveries.list', 'status', { status: 'FAILED' }],
  ['deliveries.list', 'since', { since: '2030-13-01T00:00:00Z' }],
  ['deliveries.list', 'until', { since: SINCE, until: BEFORE_SINCE }],
  ['deliveries.list', 'event_id', { event_id: 'has spaces' }],
  ['deliveries.list', 'webhook_id', { webhook_id: 'x'.repeat(65) }],
  ['deliveries.list', 'page_token', { page_token: 'not-a-token' }],
  ['deliveries.list', 'sort', { sort: 'status' }],
  ['deliveries.get', 'delivery_id', { delivery_id: 'x'.repeat(65) }],
  ['deliveries.replay', 'delivery_id', { delivery_id: 'x'.repeat(65) }],
  ['deliveries.recover', 'since', { webhook_id: WEBHOOK_ID }],
  ['deliveries.recover', 'since', { webhook_id: WEBHOOK_ID, since: 'yesterday' }],
  ['deliveries.recover', 'until', { webhook_id: WEBHOOK_ID, since: SINCE, until: BEFORE_SINCE }],
  ['deliveries.recover', 'status', { webhook_id: WEBHOOK_ID, since: SINCE, status: 'failed' }],
  ['deliveries.recover_status', 'recovery_id', { recovery_id: 'rcv_x' }],
];

describe.each(['tRPC', 'REST'])('bad input through %s', (name) => {
  it.each(BAD_INPUTS)('%s → 400 naming %s', async (procedure, field, input) => {
    const { apiKey } = await accountOnce();
    const result = await (faces[name] as Face).call(apiKey, procedure, input);
    expect(result).toMatchObject({ ok: false, status: 400 });
    if (result.ok) throw new Error('unreachable');
    expect(result.errors.map((e) => e.path)).toContain(field);
    // The message is for people: it names the field too, rather than dumping the validator's JSON.
    expect(result.message).toContain(`${field}: `);
  });
});

let sharedAccount: Promise<{ apiKey: string }> | undefined;
function accountOnce() {
  sharedAccount ??= herald.newAccount('bad inputs');
  return sharedAccount;
}

describe('malformed REST requests', () => {
  const post = (path: string, init: RequestInit & { key?: string } = {}) =>
    accountOnce().then(({ apiKey }) =>
      fetch(`${herald.url}${path}`, {
        method: 'POST',
        ...init,
        headers: { authorization: `Bearer ${init.key ?? apiKey}`, ...(init.headers as Record<string, string>) },
      }),
    );
  const json = { 'content-type': 'application/json' };

  it.each([
    ['malformed JSON', { headers: json, body: '{"url": ' }, 400, 'ParseError'],
    ['a JSON array', { headers: json, body: '[1, 2]' }, 400, 'ValidationError'],
    ['a JSON string', { headers: json, body: '"hello"' }, 400, 'ValidationError'],
    [
      'form encoding',
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'url=x' },
      415,
      'UnsupportedMediaTypeError',
    ],
    ['text', { headers: { 'content-type': 'text/plain' }, body: '{}' }, 415, 'UnsupportedMediaTypeError'],
    ['no body', {}, 400, 'ValidationError'],
    ['a huge body', { headers: json, body: JSON.stringify({ url: 'x'.repeat(2_000_000), event_types: [] }) }, 413, 'PayloadTooLargeError'],
  ])('answers %s with a typed error, not a 500', async (_label, init, status, name) => {
    const response = await post('/v1/webhooks', init as RequestInit);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ name, message: expect.any(String) });
  });

  it('answers unknown routes 404 and wrong methods 405', async () => {
    expect((await post('/v1/nothing-here')).status).toBe(404);
    const wrong = await post(`/v1/webhooks/${WEBHOOK_ID}`, { headers: json, body: '{}' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PATCH, DELETE');
  });

  it('refuses a path parameter repeated in the body, and unknown query parameters', async () => {
    const { apiKey } = await accountOnce();
    const clash = await post(`/v1/webhooks/${WEBHOOK_ID}/rotate-secret`, {
      headers: json,
      body: JSON.stringify({ webhook_id: 'wh_other' }),
    });
    expect(clash.status).toBe(400);
    expect(await clash.json()).toMatchObject({ name: 'ValidationError', errors: [expect.objectContaining({ path: 'webhook_id' })] });
    const query = await fetch(`${herald.url}/v1/api-keys?verbose=1`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(query.status).toBe(400);
    expect(await query.json()).toMatchObject({ errors: [expect.objectContaining({ path: 'verbose' })] });
  });

  it('reads booleans and numbers in query strings exactly (ascending=false is false)', async () => {
    const { apiKey } = await herald.newAccount();
    const client = herald.client(apiKey);
    const a = await client.webhooks.create.mutate(hook());
    const b = await client.webhooks.create.mutate(hook());
    const list = async (query: string) => {
      const response = await fetch(`${herald.url}/v1/webhooks?${query}`, { headers: { authorization: `Bearer ${apiKey}` } });
      return { status: response.status, body: (await response.json()) as { webhooks?: { id: string }[]; limit?: number } };
    };
    expect((await list('ascending=false')).body.webhooks?.map((w) => w.id)).toEqual([b.id, a.id]);
    expect((await list('ascending=true')).body.webhooks?.map((w) => w.id)).toEqual([a.id, b.id]);
    expect((await list('limit=1')).body).toMatchObject({ limit: 1, webhooks: [{ id: b.id }] });
    expect((await list('ascending=maybe')).status).toBe(400);
    expect((await list('limit=1&limit=2')).status).toBe(400);
  });

  it('answers malformed tRPC requests with 400, not 500', async () => {
    const { apiKey } = await accountOnce();
    const response = await fetch(`${herald.url}/trpc/webhooks.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: '{"url": ',
    });
    expect(response.status).toBe(400);
  });
});

describe.each(['tRPC', 'REST'])('API keys and authentication through %s', (name) => {
  const face = () => faces[name] as Face;

  it('shows a new key once, lists keys without secrets, and refuses a revoked key at once', async () => {
    const { apiKey } = await herald.newAccount();
    const created = ok(await face().call(apiKey, 'api_keys.create', { name: 'ci' }));
    expect(created).toMatchObject({
      id: expect.stringMatching(/^key_/),
      name: 'ci',
      revoked_at: null,
      api_key: expect.stringMatching(/^hk_/),
    });
    expect(created.api_key.startsWith(created.prefix)).toBe(true);
    const listed = ok(await face().call(created.api_key, 'api_keys.list'));
    expect(listed.count).toBe(2);
    for (const key of listed.api_keys) expect(Object.keys(key).sort()).toEqual(['created_at', 'id', 'name', 'prefix', 'revoked_at']);
    expect(JSON.stringify(listed)).not.toContain(created.api_key);

    // The new key works; once revoked it is refused on the very next request, through both faces.
    expect(ok(await face().call(created.api_key, 'webhooks.list', {})).count).toBe(0);
    const revoked = ok(await face().call(apiKey, 'api_keys.revoke', { api_key_id: created.id }));
    expect(revoked.revoked_at).not.toBeNull();
    for (const f of Object.values(faces)) {
      expect(await f.call(created.api_key, 'webhooks.list', {})).toMatchObject({ ok: false, status: 401 });
    }
    // Revoking again keeps the first revocation time.
    expect(ok(await face().call(apiKey, 'api_keys.revoke', { api_key_id: created.id })).revoked_at).toBe(revoked.revoked_at);
    // The last active key cannot be revoked: that would lock the account out for good.
    const { api_keys } = ok(await face().call(apiKey, 'api_keys.list'));
    const own = api_keys.find((k: { revoked_at: string | null }) => k.revoked_at === null);
    expect(await face().call(apiKey, 'api_keys.revoke', { api_key_id: own.id })).toMatchObject({
      ok: false,
      status: 409,
      reason: 'last_api_key',
    });
  });

  it('refuses every account route without a valid key (401)', async () => {
    // A valid input for every procedure: the key is checked first, so nothing here needs to exist.
    const inputs: Record<string, Record<string, unknown> | undefined> = {
      'webhooks.create': HOOK,
      'webhooks.list': {},
      'webhooks.get': { webhook_id: WEBHOOK_ID },
      'webhooks.update': { webhook_id: WEBHOOK_ID, name: 'x' },
      'webhooks.enable': { webhook_id: WEBHOOK_ID },
      'webhooks.disable': { webhook_id: WEBHOOK_ID },
      'webhooks.delete': { webhook_id: WEBHOOK_ID },
      'webhooks.rotate_secret': { webhook_id: WEBHOOK_ID },
      'webhooks.test': { webhook_id: WEBHOOK_ID },
      'api_keys.create': { name: 'x' },
      'api_keys.list': undefined,
      'api_keys.revoke': { api_key_id: 'key_x' },
      'events.publish': { type: 'message.received', data: { message } },
      'events.get': { event_id: 'evt_x' },
      'events.list': { limit: 1 },
      'deliveries.list': { status: 'failed' },
      'deliveries.get': { delivery_id: DELIVERY_ID },
      'deliveries.replay': { delivery_id: DELIVERY_ID },
      'deliveries.recover': { webhook_id: WEBHOOK_ID, since: SINCE },
      'deliveries.recover_status': { recovery_id: RECOVERY_ID },
      'accounts.create': { name: 'x' },
      'accounts.list': {},
      'accounts.get': { account_id: 'acc_x' },
      'producer_keys.create': { name: 'x' },
      'producer_keys.list': undefined,
      'producer_keys.revoke': { producer_key_id: 'pk_x' },
      'event_types.create': { name: 'invoice.paid', description: 'x', scope: 'account' },
      'event_types.update': { name: 'invoice.paid', description: 'x' },
      'event_types.archive': { name: 'invoice.paid' },
      'accounts.create_api_key': { account_id: 'acc_x', name: 'x' },
      'portal.create_link': {},
      'listen.start': { forward_to: 'http://localhost:4000/hooks' },
      'listen.respond': { session_id: 'lsn_x', request_id: 'lsn_x/1', status_code: 200, duration_ms: 1 },
      'listen.stop': { session_id: 'lsn_x' },
    };
    // Every procedure that needs a key is in the table, whoever added it.
    const protectedProcedures = PROCEDURES.filter((p) => p.openapi?.protect !== false).map((p) => p.name);
    expect(Object.keys(inputs).sort()).toEqual(protectedProcedures.sort());
    for (const [procedure, input] of Object.entries(inputs)) {
      for (const key of [undefined, 'hk_not_a_key']) {
        const result = await face().call(key, procedure, input);
        expect({ procedure, key, status: result.status }).toEqual({ procedure, key, status: 401 });
      }
    }
  });

  it('creates accounts with the admin key only', async () => {
    const created = ok(await face().call(herald.adminKey, 'accounts.create', { name: 'Acme' }));
    expect(created).toMatchObject({
      account: { id: expect.stringMatching(/^acc_/), name: 'Acme' },
      api_key: expect.stringMatching(/^hk_/),
    });
    expect(ok(await face().call(created.api_key, 'webhooks.list', {})).count).toBe(0);
    expect(await face().call(created.api_key, 'accounts.create', { name: 'x' })).toMatchObject({ ok: false, status: 401 });
  });

  it("answers 404 for another account's objects on every route, and changes nothing", async () => {
    const owner = await herald.newAccount('owner');
    const other = await herald.newAccount('other');
    const webhook = ok(await face().call(owner.apiKey, 'webhooks.create', hook()));
    const ownerKey = ok(await face().call(owner.apiKey, 'api_keys.create', { name: 'second' }));
    const event = ok(await face().call(owner.apiKey, 'events.publish', { type: 'message.sent', data: { message } }));
    const deliveryId = deliveryFor(webhook.id, event.id);
    await expect
      .poll(async () => ok(await face().call(owner.apiKey, 'deliveries.get', { delivery_id: deliveryId })).status)
      .toBe('succeeded');
    // The webhook records the success after the delivery does.
    await expect
      .poll(async () => ok(await face().call(owner.apiKey, 'webhooks.get', { webhook_id: webhook.id })).last_delivered_at)
      .not.toBeNull();
    const delivered = ok(await face().call(owner.apiKey, 'webhooks.get', { webhook_id: webhook.id }));
    const recovery = ok(await face().call(owner.apiKey, 'deliveries.recover', { webhook_id: webhook.id, since: event.created_at }));
    const session = ok(
      await face().call(owner.apiKey, 'listen.start', { forward_to: `${receiver.url}/listen`, event_types: ['message.bounced'] }),
    );
    const routes: [string, Record<string, unknown>][] = [
      ['webhooks.get', { webhook_id: webhook.id }],
      ['webhooks.update', { webhook_id: webhook.id, name: 'stolen', url: `${receiver.url}/stolen` }],
      ['webhooks.enable', { webhook_id: webhook.id }],
      ['webhooks.disable', { webhook_id: webhook.id }],
      ['webhooks.rotate_secret', { webhook_id: webhook.id }],
      ['webhooks.test', { webhook_id: webhook.id }],
      ['deliveries.recover', { webhook_id: webhook.id, since: event.created_at }],
      ['webhooks.delete', { webhook_id: webhook.id }],
      ['api_keys.revoke', { api_key_id: ownerKey.id }],
      ['events.get', { event_id: event.id }],
      ['deliveries.get', { delivery_id: deliveryId }],
      ['deliveries.replay', { delivery_id: deliveryId }],
      ['deliveries.recover_status', { recovery_id: recovery.recovery_id }],
      ['listen.respond', { session_id: session.session_id, request_id: `${session.session_id}/x`, status_code: 200, duration_ms: 1 }],
      ['listen.stop', { session_id: session.session_id }],
    ];
    // Every route that names an account's object in its path is in the table, whoever added it. (Admin
    // routes are not an account's: an account key gets 401 there, see producers.test.ts; event types
    // belong to no account.)
    const adminOnly = (name: string) => name.startsWith('accounts.') || name.startsWith('producer_keys.');
    const withObject = PROCEDURES.filter(
      (p) => p.openapi?.path.includes('{') && !adminOnly(p.name) && !p.openapi.path.startsWith('/v1/event-types/'),
    ).map((p) => p.name);
    expect(routes.map(([procedure]) => procedure).sort()).toEqual(withObject.sort());
    const before = receiver.requests.length;
    for (const [procedure, input] of routes) {
      const result = await face().call(other.apiKey, procedure, input);
      expect({ procedure, status: result.status }).toEqual({ procedure, status: 404 });
    }
    // The lists show the other account nothing, even filtered by the owner's ids.
    expect(ok(await face().call(other.apiKey, 'webhooks.list', {})).count).toBe(0);
    expect(ok(await face().call(other.apiKey, 'api_keys.list')).count).toBe(1);
    expect(ok(await face().call(other.apiKey, 'events.list', {})).events).toEqual([]);
    expect(ok(await face().call(other.apiKey, 'deliveries.list', { webhook_id: webhook.id })).deliveries).toEqual([]);
    expect(ok(await face().call(other.apiKey, 'deliveries.list', { event_id: event.id })).deliveries).toEqual([]);
    // Nothing changed for the owner, and no request reached the owner's URL.
    expect(ok(await face().call(owner.apiKey, 'webhooks.get', { webhook_id: webhook.id }))).toEqual(delivered);
    expect(ok(await face().call(ownerKey.api_key, 'api_keys.list')).count).toBe(2);
    expect(ok(await face().call(owner.apiKey, 'deliveries.get', { delivery_id: deliveryId }))).toMatchObject({
      status: 'succeeded',
      attempts: [{ attempt: 1, status_code: 200 }],
    });
    expect(receiver.requests.length).toBe(before);
  });
});

describe('the README example (examples/receiver.ts)', () => {
  it('registers itself, receives the verified test event and a published event, and cleans up', async () => {
    const { apiKey, client } = await herald.newAccount();
    const events: { event: string; event_id: string }[] = [];
    const example = await startExampleReceiver({ heraldUrl: herald.url, apiKey, onEvent: (event) => events.push(event) });
    expect(events.map((e) => e.event)).toEqual(['webhook.test']);
    const published = await client.events.publish.mutate({ type: 'message.received', data: { message } });
    await expect.poll(() => events.map((e) => e.event_id)).toContain(published.id);
    await example.close();
    expect(await (faces.tRPC as Face).call(apiKey, 'webhooks.get', { webhook_id: example.webhookId })).toMatchObject({ status: 404 });
  });
});
