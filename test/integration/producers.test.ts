// The platform publishes for its accounts with one key (issue 13 §3), and the `webhook-id` it signs is
// derived from (account, event id) (§4), on the real stack through both faces: producer keys made by the
// admin publish for any account named by `account_id` or `account_external_id` and are refused (403)
// everywhere else; revocation holds at once, in another process too; accounts carry a unique
// `external_id` and are listed in pages; every delivery verifies with the `standardwebhooks` package.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appRouter } from '../../src/api/router.js';
import { newId, webhookMessageId } from '../../src/domain/ids.js';
import { createStore } from '../../src/store/index.js';
import { connectMongo } from '../../src/store/mongo.js';
import { type Face, ok, restFace, trpcFace } from '../support/faces.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.js';

let herald: TestHerald;
let receiver: Receiver;
const faces: Face[] = [];
beforeAll(async () => {
  herald = await startTestHerald();
  // /retry-once/…: 500 to the first request of each path, 200 after; everything else 200.
  const seen = new Set<string>();
  receiver = await startReceiver((_, request) => {
    if (!request.path.startsWith('/retry-once/') || seen.has(request.path)) return { status: 200 };
    seen.add(request.path);
    return { status: 500 };
  });
  faces.push(trpcFace(herald.url), restFace(herald.url));
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

const message = { id: 'm1', from: 'a@example.com', to: ['b@example.com'], subject: 'Hi' };
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

/** Queries and mutations: the one subscription (listen.requests) is checked in cli-listen.test.ts. */
const PROCEDURES = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: OpenApiMeta } }>)
  .filter(([, p]) => p._def.type !== 'subscription')
  .map(([name, p]) => ({ name, openapi: p._def.meta?.openapi }));

async function producerKey(face: Face): Promise<{ id: string; producer_key: string }> {
  return ok(await face.call(herald.adminKey, 'producer_keys.create', { name: unique('platform') }));
}

/** An account (with an external id) whose one webhook sends message.received to `path` on the receiver. */
async function accountWithHook(face: Face, path: string) {
  const externalId = unique('platform-account');
  const { account, api_key } = ok(await face.call(herald.adminKey, 'accounts.create', { name: path, external_id: externalId }));
  const webhook = ok(await face.call(api_key, 'webhooks.create', { url: `${receiver.url}${path}`, event_types: ['message.received'] }));
  return { accountId: account.id as string, externalId, apiKey: api_key as string, secret: webhook.secret as string };
}

function requestsTo(path: string): ReceivedRequest[] {
  return receiver.requests.filter((r) => r.path === path);
}

/** Verifies with the reference library (throws on a bad signature) and answers the parsed body. */
function verified(request: ReceivedRequest, secret: string): Record<string, unknown> {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  }) as Record<string, unknown>;
}

describe.each([0, 1])('face %#', (index) => {
  const face = () => faces[index] as Face;

  it('publishes with one producer key for two accounts, by account_id and by account_external_id; each gets only its own', async () => {
    const created = await producerKey(face());
    expect(created).toMatchObject({ id: expect.stringMatching(/^pk_/), producer_key: expect.stringMatching(/^hkp_/), revoked_at: null });
    const listed = ok(await face().call(herald.adminKey, 'producer_keys.list'));
    const entry = listed.producer_keys.find((k: { id: string }) => k.id === created.id);
    expect(Object.keys(entry).sort()).toEqual(['created_at', 'id', 'name', 'prefix', 'revoked_at']);
    expect(created.producer_key.startsWith(entry.prefix)).toBe(true);

    const pathA = `/${unique('a')}`;
    const pathB = `/${unique('b')}`;
    const [a, b] = [await accountWithHook(face(), pathA), await accountWithHook(face(), pathB)];
    // The same producer event id in both accounts: two events, two receivers, two webhook-ids.
    const eventId = unique('order');
    const toA = ok(
      await face().call(created.producer_key, 'events.publish', {
        type: 'message.received',
        event_id: eventId,
        account_id: a.accountId,
        data: { message },
      }),
    );
    const toB = ok(
      await face().call(created.producer_key, 'events.publish', {
        type: 'message.received',
        event_id: eventId,
        account_external_id: b.externalId,
        data: { message },
      }),
    );
    expect([toA.account_id, toB.account_id]).toEqual([a.accountId, b.accountId]);
    await expect.poll(() => requestsTo(pathA).length + requestsTo(pathB).length, { timeout: 30_000 }).toBe(2);

    const [atA] = requestsTo(pathA);
    const [atB] = requestsTo(pathB);
    if (!atA || !atB) throw new Error('each receiver path gets one request');
    expect(verified(atA, a.secret)).toMatchObject({ event: 'message.received', event_id: eventId, account_id: a.accountId, message });
    expect(verified(atB, b.secret)).toMatchObject({ event: 'message.received', event_id: eventId, account_id: b.accountId, message });
    expect(atA.headers['webhook-id']).toBe(webhookMessageId(a.accountId, eventId));
    expect(atB.headers['webhook-id']).toBe(webhookMessageId(b.accountId, eventId));
    expect(atA.headers['webhook-id']).not.toBe(atB.headers['webhook-id']);
    for (const id of [atA.headers['webhook-id'], atB.headers['webhook-id']]) expect(id).toMatch(/^msg_[A-Za-z0-9_-]+$/);

    // Each account sees its own event only.
    expect(ok(await face().call(a.apiKey, 'events.get', { event_id: eventId })).account_id).toBe(a.accountId);
    expect(ok(await face().call(b.apiKey, 'events.get', { event_id: eventId })).account_id).toBe(b.accountId);
    // The retry of a publish is the same event.
    const again = ok(
      await face().call(created.producer_key, 'events.publish', {
        type: 'message.received',
        event_id: eventId,
        account_id: a.accountId,
        data: { message },
      }),
    );
    expect(again).toEqual(toA);
  });

  it('refuses a producer key on every other route (403), and keys other than the admin’s on admin routes', async () => {
    const { producer_key } = await producerKey(face());
    const { apiKey } = await herald.newAccount();
    // The key is checked before the input: any input will do, whoever added the procedure. Routes that
    // need no key refuse a producer key too: deny by default.
    let refused = 0;
    for (const { name, openapi } of PROCEDURES) {
      if (name === 'events.publish') continue;
      if (face().name === 'REST' && !openapi) continue;
      refused++;
      const input = Object.fromEntries([...(openapi?.path.matchAll(/\{(\w+)\}/g) ?? [])].map(([, param]) => [param, 'x_1']));
      const result = await face().call(producer_key, name, input);
      expect({ name, status: result.status, code: result.ok ? null : result.name }).toEqual({
        name,
        status: 403,
        code: face().name === 'REST' ? 'ForbiddenError' : 'FORBIDDEN',
      });
    }
    expect(refused).toBeGreaterThanOrEqual(26);
    expect((await face().call(producer_key, 'event_types.list')).status).toBe(403);
    expect((await face().call(undefined, 'event_types.list')).status).toBe(200);
    // Admin routes: an account key is not the admin's (401), a producer key is known but not allowed (403).
    for (const [name, input] of [
      ['accounts.list', {}],
      ['producer_keys.create', { name: 'x' }],
    ] as const) {
      expect({ name, status: (await face().call(apiKey, name, input)).status }).toEqual({ name, status: 401 });
      expect({ name, status: (await face().call(producer_key, name, input)).status }).toEqual({ name, status: 403 });
    }
  });

  it('needs exactly one account reference from a producer, 404 for an unknown account; account keys publish for their own only', async () => {
    const { producer_key } = await producerKey(face());
    const publish = (key: string, target: Record<string, string>) =>
      face().call(key, 'events.publish', { type: 'message.received', data: { message }, ...target });
    expect(await publish(producer_key, { account_id: 'acc_00000000000000000000000000' })).toMatchObject({ status: 404 });
    expect(await publish(producer_key, { account_external_id: unique('nobody') })).toMatchObject({ status: 404 });
    expect(await publish(producer_key, {})).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'account_id' })] });
    const owner = await accountWithHook(face(), `/${unique('own')}`);
    const other = await accountWithHook(face(), `/${unique('other')}`);
    expect(await publish(producer_key, { account_id: owner.accountId, account_external_id: owner.externalId })).toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ path: 'account_external_id' })],
    });
    // An account key: its own account, named or not; another account (existing or not) is a 400 naming the field.
    expect(ok(await publish(owner.apiKey, {})).account_id).toBe(owner.accountId);
    expect(ok(await publish(owner.apiKey, { account_id: owner.accountId })).account_id).toBe(owner.accountId);
    expect(ok(await publish(owner.apiKey, { account_external_id: owner.externalId })).account_id).toBe(owner.accountId);
    for (const target of [{ account_id: other.accountId }, { account_id: 'acc_00000000000000000000000000' }]) {
      expect(await publish(owner.apiKey, target)).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'account_id' })] });
    }
    expect(await publish(owner.apiKey, { account_external_id: other.externalId })).toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ path: 'account_external_id' })],
    });
    expect(ok(await face().call(other.apiKey, 'events.list', {})).events).toEqual([]);
  });

  it('refuses a revoked producer key at its next request (401), also when another process revoked it', async () => {
    const { accountId } = await herald.newAccount();
    const publish = (key: string) =>
      face().call(key, 'events.publish', { type: 'message.received', account_id: accountId, data: { message } });
    const first = await producerKey(face());
    expect((await publish(first.producer_key)).status).toBe(200);
    const revoked = ok(await face().call(herald.adminKey, 'producer_keys.revoke', { producer_key_id: first.id }));
    expect(revoked.revoked_at).not.toBeNull();
    expect((await publish(first.producer_key)).status).toBe(401);
    // Revoking again keeps the first time; an unknown key is a 404.
    expect(ok(await face().call(herald.adminKey, 'producer_keys.revoke', { producer_key_id: first.id })).revoked_at).toBe(
      revoked.revoked_at,
    );
    expect((await face().call(herald.adminKey, 'producer_keys.revoke', { producer_key_id: 'pk_x' })).status).toBe(404);

    // Another process (its own store on the same database) revokes a key this Herald has just used.
    const second = await producerKey(face());
    expect((await publish(second.producer_key)).status).toBe(200);
    const elsewhere = await connectMongo(inject('mongodbUri'), herald.deps.config.mongodb.database);
    try {
      await createStore(elsewhere).producerKeys.revoke(second.id);
    } finally {
      await elsewhere.close();
    }
    expect((await publish(second.producer_key)).status).toBe(401);
  });

  it('lists accounts in pages, gets one, and keeps external_id unique (409 external_id_taken), under concurrency too', async () => {
    const externalId = unique('ext');
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      const input = i === 0 ? { name: `paged ${i}`, external_id: externalId } : { name: `paged ${i}` };
      mine.push(ok(await face().call(herald.adminKey, 'accounts.create', input)).account.id);
    }
    for (const ascending of [false, true]) {
      const seen: string[] = [];
      let page_token: string | undefined;
      do {
        const page = ok(
          await face().call(herald.adminKey, 'accounts.list', { limit: 2, ascending, ...(page_token ? { page_token } : {}) }),
        );
        expect(page.accounts.length).toBeLessThanOrEqual(2);
        seen.push(...page.accounts.map((a: { id: string }) => a.id));
        page_token = page.next_page_token ?? undefined;
      } while (page_token);
      expect(new Set(seen).size).toBe(seen.length);
      const ours = seen.filter((id) => mine.includes(id));
      expect(ours).toEqual(ascending ? mine : [...mine].reverse());
    }
    expect(ok(await face().call(herald.adminKey, 'accounts.get', { account_id: mine[0] }))).toMatchObject({
      id: mine[0],
      name: 'paged 0',
      external_id: externalId,
    });
    expect(ok(await face().call(herald.adminKey, 'accounts.get', { account_id: mine[1] })).external_id).toBeNull();
    expect(await face().call(herald.adminKey, 'accounts.get', { account_id: 'acc_00000000000000000000000000' })).toMatchObject({
      status: 404,
    });
    expect(await face().call(herald.adminKey, 'accounts.list', { page_token: 'bm90LWFuLWlk' })).toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ path: 'page_token' })],
    });

    expect(await face().call(herald.adminKey, 'accounts.create', { name: 'dup', external_id: externalId })).toMatchObject({
      status: 409,
      reason: 'external_id_taken',
    });
    // Racing creates of one new external id: exactly one account gets it.
    const raced = unique('raced');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => face().call(herald.adminKey, 'accounts.create', { name: `race ${i}`, external_id: raced })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => [r.status, !r.ok && r.reason])).toEqual(Array(5).fill([409, 'external_id_taken']));
  });
});

it('completes an account whose create died after claiming its external id, so the id still names an account', async () => {
  const { store } = herald.deps;
  const externalId = unique('orphan');
  // What a create leaves when its process dies between the claim and the account.
  const accountId = newId('acc');
  const mongo = await connectMongo(inject('mongodbUri'), herald.deps.config.mongodb.database);
  try {
    await mongo.collections.accountExternalIds.insertOne({ _id: externalId, account_id: accountId, name: 'died', created_at: new Date() });
  } finally {
    await mongo.close();
  }
  const face = faces[1] as Face;
  expect(await face.call(herald.adminKey, 'accounts.create', { name: 'again', external_id: externalId })).toMatchObject({
    status: 409,
    reason: 'external_id_taken',
  });
  expect(ok(await face.call(herald.adminKey, 'accounts.get', { account_id: accountId }))).toMatchObject({
    name: 'died',
    external_id: externalId,
  });
  expect(await store.accounts.idByExternalId(externalId)).toBe(accountId);
});

it('signs a retried delivery with the same webhook-id (500, then 200), verifiable with standardwebhooks', async () => {
  const face = faces[0] as Face;
  const { producer_key } = await producerKey(face);
  const path = `/retry-once/${unique('r')}`;
  const account = await accountWithHook(face, path);
  const eventId = unique('retried');
  ok(
    await face.call(producer_key, 'events.publish', {
      type: 'message.received',
      event_id: eventId,
      account_id: account.accountId,
      data: { message },
    }),
  );
  await expect.poll(() => requestsTo(path).length, { timeout: 30_000 }).toBe(2);
  const [first, second] = requestsTo(path);
  if (!first || !second) throw new Error('two requests');
  expect(first.headers['webhook-id']).toBe(webhookMessageId(account.accountId, eventId));
  expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
  for (const request of [first, second]) expect(verified(request, account.secret)).toMatchObject({ event_id: eventId });
});
