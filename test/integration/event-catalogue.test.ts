// The event catalogue on the real stack: daimon's documented payload examples published verbatim and
// received as daimon documents them (verified with the `standardwebhooks` package), envelope fields
// refused inside `data`, the other seeds' types open, and types added, changed and archived at run time
// across two Herald processes on one database and task queue.

import { MongoClient } from 'mongodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allExamples, DAIMON_EXAMPLES, type DaimonExample, publishInputOf } from '../support/daimon-examples.js';
import { scanReason } from '../support/explain-check.js';
import { type Face, ok, restFace, trpcFace } from '../support/faces.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.js';

let herald: TestHerald;
const faces: Record<string, Face> = {};
const receivers: Receiver[] = [];

beforeAll(async () => {
  herald = await startTestHerald();
  faces.tRPC = trpcFace(herald.url);
  faces.REST = restFace(herald.url);
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await herald?.stop();
});

async function receiver(reply?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(reply);
  receivers.push(r);
  return r;
}

/** The request's body, verified the Standard Webhooks way with the webhook's secret. */
function verified(secret: string, request: ReceivedRequest): Record<string, unknown> {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  }) as Record<string, unknown>;
}

const face = (name: string) => faces[name] as Face;

describe("daimon's documented payloads", () => {
  it('publish verbatim and reach the receiver as daimon documents them, field for field, signed', async () => {
    const { client, accountId } = await herald.newAccount();
    const hook = await receiver();
    const examples = allExamples();
    const webhook = await client.webhooks.create.mutate({ url: hook.url, event_types: examples.map((e) => e.event) });
    if (!webhook.secret) throw new Error('no secret');

    // One after the other, so that the receiver gets them in this order.
    for (const [i, example] of examples.entries()) {
      const event = await client.events.publish.mutate(publishInputOf(example));
      expect(event).toMatchObject({ id: example.event_id, type: example.event, occurred_at: example.timestamp });
      await hook.waitFor(i + 1);
    }
    for (const [i, example] of examples.entries()) {
      const request = hook.requests[i] as ReceivedRequest;
      const received = verified(webhook.secret, request);
      // Everything as documented, but the account: it is the publishing account's, never the producer's.
      expect(received).toEqual({ ...example, account_id: accountId });
      expect(Object.keys(received)).toEqual(Object.keys(example));
    }
  });

  it('are refused with an envelope field inside data, each field named (both faces)', async () => {
    const { apiKey } = await herald.newAccount();
    const example = DAIMON_EXAMPLES['message.bounced'] as DaimonExample;
    const input = publishInputOf(example);
    for (const name of ['tRPC', 'REST']) {
      for (const key of ['event', 'event_id', 'timestamp', 'account_id', 'inbox_id', 'pod_id']) {
        const result = await face(name).call(apiKey, 'events.publish', { ...input, data: { ...input.data, [key]: 'x' } });
        expect({ name, key, result }).toMatchObject({ name, key, result: { ok: false, status: 400, errors: [{ path: `data.${key}` }] } });
      }
      // The whole envelope, as a producer pasting a daimon payload into data would send it: every field named.
      const result = await face(name).call(apiKey, 'events.publish', { type: example.event, data: example });
      expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual([
        'data.event',
        'data.event_id',
        'data.timestamp',
        'data.account_id',
        'data.inbox_id',
      ]);
    }
  });

  it("are refused when they do not match, naming the nested field, and a type's schema is served", async () => {
    const { apiKey } = await herald.newAccount();
    const input = publishInputOf(DAIMON_EXAMPLES['account.upgraded'] as DaimonExample);
    const upgrade = input.data.upgrade as Record<string, unknown>;
    for (const name of ['tRPC', 'REST']) {
      const result = await face(name).call(apiKey, 'events.publish', {
        ...input,
        event_id: undefined,
        data: { upgrade: { ...upgrade, to_tier: 7 } },
      });
      expect(result).toMatchObject({ ok: false, status: 400, errors: [{ path: 'data.upgrade.to_tier', message: 'must be string' }] });
    }
  });
});

describe("the other seeds' types", () => {
  it('publish with any object and arrive with it at the top level', async () => {
    const { client, accountId } = await herald.newAccount();
    const hook = await receiver();
    const types = [
      'message.sent',
      'message.delivered',
      'message.complained',
      'message.rejected',
      'domain.verified',
      'message.delivery_delayed',
      'message.received.spam',
      'sendmux.test',
    ];
    const webhook = await client.webhooks.create.mutate({ url: hook.url, event_types: types });
    if (!webhook.secret) throw new Error('no secret');
    for (const [i, type] of types.entries()) {
      await client.events.publish.mutate({ type, inbox_id: 'inbox_1', data: { detail: { n: i, anything: ['goes'] }, note: type } });
      await hook.waitFor(i + 1);
    }
    const received = hook.requests.map((request) => verified(webhook.secret as string, request));
    expect(received.map((r) => r.event)).toEqual(types);
    for (const [i, r] of received.entries()) {
      expect(r).toMatchObject({ account_id: accountId, inbox_id: 'inbox_1', detail: { n: i, anything: ['goes'] }, note: types[i] });
    }
  });

  it('webhook.test stays Herald’s own: subscribable, not publishable', async () => {
    const { apiKey } = await herald.newAccount();
    const result = await face('REST').call(apiKey, 'events.publish', { type: 'webhook.test', data: {} });
    expect(result).toMatchObject({ ok: false, status: 400, errors: [{ path: 'type', message: 'is emitted by Herald only' }] });
  });
});

describe('built-in types', () => {
  it.each(['tRPC', 'REST'])('cannot be updated, archived or created again (%s)', async (name) => {
    const admin = herald.adminKey;
    expect(await face(name).call(admin, 'event_types.update', { name: 'message.bounced', description: 'mine' })).toMatchObject({
      status: 400,
      errors: [{ path: 'name' }],
    });
    expect(await face(name).call(admin, 'event_types.archive', { name: 'message.received' })).toMatchObject({
      status: 400,
      errors: [{ path: 'name' }],
    });
    expect(
      await face(name).call(admin, 'event_types.create', { name: 'message.received', description: 'x', scope: 'message' }),
    ).toMatchObject({
      status: 409,
      reason: 'event_type_exists',
    });
    const { event_types } = ok(await face(name).call(undefined, 'event_types.list'));
    expect(event_types.find((t: { type: string }) => t.type === 'message.received')).toMatchObject({ built_in: true, archived: false });
  });

  it('are changed by the admin key only', async () => {
    const { apiKey } = await herald.newAccount();
    for (const name of ['tRPC', 'REST']) {
      expect(
        await face(name).call(apiKey, 'event_types.create', { name: 'sneaky.type', description: 'x', scope: 'message' }),
      ).toMatchObject({ status: 401 });
      expect(await face(name).call(undefined, 'event_types.archive', { name: 'sneaky.type' })).toMatchObject({ status: 401 });
    }
  });
});

describe('types added at run time', () => {
  it.each([
    ['name', { name: 'NotDotted', description: 'x', scope: 'message' }],
    ['name', { name: 'invoice', description: 'x', scope: 'message' }],
    ['scope', { name: 'invoice.sent', description: 'x', scope: 'inbox' }],
    ['description', { name: 'invoice.sent', description: '', scope: 'message' }],
    ['schema', { name: 'invoice.sent', description: 'x', scope: 'message', schema: { type: 'strin' } }],
    ['schema', { name: 'invoice.sent', description: 'x', scope: 'message', schema: { $ref: 'https://example.com/remote.json' } }],
  ])('are refused with a bad %s', async (field, input) => {
    for (const name of ['tRPC', 'REST']) {
      const result = await face(name).call(herald.adminKey, 'event_types.create', input);
      expect({ name, result }).toMatchObject({ name, result: { ok: false, status: 400, errors: [{ path: field }] } });
    }
  });

  it('are answered 404 when unknown', async () => {
    expect(await face('REST').call(herald.adminKey, 'event_types.archive', { name: 'never.created' })).toMatchObject({ status: 404 });
    expect(await face('REST').call(herald.adminKey, 'event_types.update', { name: 'never.created', description: 'x' })).toMatchObject({
      status: 404,
    });
  });

  it("readForPublish: the account's version and the catalogue's in one read, the catalogue's moving with every change", async () => {
    const { accountId } = await herald.newAccount();
    const { store } = herald.deps;
    const readVersions = async (id: string) => {
      const read = await store.accounts.readForPublish(id);
      if (!read) throw new Error(`account ${id} not found`);
      return read;
    };
    const before = await readVersions(accountId);
    ok(
      await face('REST').call(herald.adminKey, 'event_types.create', { name: 'order.shipped', description: 'Shipped.', scope: 'message' }),
    );
    const first = await readVersions(accountId);
    expect(first.catalogue).toEqual(expect.any(String));
    expect(first.catalogue).not.toBe(before.catalogue);
    expect(first.version).toBe(before.version);
    ok(await face('REST').call(herald.adminKey, 'event_types.update', { name: 'order.shipped', scope: 'account' }));
    const second = await readVersions(accountId);
    expect(second.catalogue).not.toBe(first.catalogue);
    // A lookup with the version read alongside the account's needs no read of its own, and sees the change.
    expect(await store.eventCatalogue.lookUp(['order.shipped'], second.catalogue)).toMatchObject([
      { name: 'order.shipped', scope: 'account' },
    ]);
    // Nothing changed (the same scope again): the version stays.
    ok(await face('REST').call(herald.adminKey, 'event_types.update', { name: 'order.shipped', scope: 'account' }));
    expect((await readVersions(accountId)).catalogue).toBe(second.catalogue);
    // The one query is answered from the `_id` index (pushed down by Herald's FerretDB build), not a scan.
    const mongo = await MongoClient.connect(herald.deps.config.mongodb.uri ?? inject('mongodbUri'));
    try {
      const db = mongo.db(herald.deps.config.mongodb.database);
      expect(await scanReason(db, { collection: 'webhook_versions', filter: { _id: { $in: [accountId, 'event_catalogue'] } } })).toBeNull();
    } finally {
      await mongo.close();
    }
  });

  it('are created, published, changed and archived through one process and obeyed by another on its next request', async () => {
    // A second Herald process on the same database and task queue: its own catalogue copy.
    const other = await startTestHerald({
      MONGODB_DATABASE: herald.deps.config.mongodb.database,
      TEMPORAL_TASK_QUEUE: herald.deps.config.temporal.taskQueue,
    });
    try {
      const a = { admin: trpcFace(herald.url), rest: restFace(herald.url) };
      const b = { trpc: trpcFace(other.url), rest: restFace(other.url) };
      const { apiKey, accountId } = await herald.newAccount();
      const hook = await receiver();

      // B looks the type up before it exists (and keeps a copy of the catalogue without it).
      const invoice = { type: 'invoice.paid', inbox_id: 'inbox_1', data: { invoice_id: 'inv_1', amount: 1200 } };
      expect(await b.rest.call(apiKey, 'events.publish', invoice)).toMatchObject({ status: 400, errors: [{ path: 'type' }] });
      expect(await b.trpc.call(apiKey, 'webhooks.create', { url: hook.url, event_types: ['invoice.paid'] })).toMatchObject({
        status: 400,
        errors: [{ path: 'event_types.0' }],
      });

      const schema = {
        type: 'object',
        required: ['invoice_id'],
        properties: { invoice_id: { type: 'string' }, amount: { type: 'integer', minimum: 0 } },
      };
      const created = ok(
        await a.rest.call(herald.adminKey, 'event_types.create', {
          name: 'invoice.paid',
          description: 'An invoice was paid.',
          scope: 'account',
          schema,
        }),
      );
      expect(created).toMatchObject({ type: 'invoice.paid', scope: 'account', schema, built_in: false, archived: false, source: 'custom' });

      // B: subscribable and publishable now; its schema applies; account scope ignores the webhook's inboxes.
      const webhook = ok(
        await b.trpc.call(apiKey, 'webhooks.create', { url: hook.url, event_types: ['invoice.paid'], inbox_ids: ['inbox_other'] }),
      );
      const bad = await b.rest.call(apiKey, 'events.publish', { ...invoice, data: { amount: -1 } });
      expect(bad.ok ? [] : bad.errors.map((e) => e.path).sort()).toEqual(['data.amount', 'data.invoice_id']);
      ok(await b.rest.call(apiKey, 'events.publish', { ...invoice, event_id: 'inv_1_paid' }));
      const [first] = await hook.waitFor(1);
      expect(verified(webhook.secret, first as ReceivedRequest)).toMatchObject({
        event: 'invoice.paid',
        event_id: 'inv_1_paid',
        account_id: accountId,
        invoice_id: 'inv_1',
        amount: 1200,
      });

      // Changed through A: B validates with the new schema on its next publish.
      ok(
        await a.admin.call(herald.adminKey, 'event_types.update', {
          name: 'invoice.paid',
          schema: { ...schema, required: ['invoice_id', 'currency'] },
        }),
      );
      expect(await b.rest.call(apiKey, 'events.publish', invoice)).toMatchObject({ status: 400, errors: [{ path: 'data.currency' }] });

      // An event accepted before the archive is still delivered after it: the receiver fails until then.
      let archived = false;
      hook.reply = () => ({ status: archived ? 200 : 503 });
      ok(
        await b.rest.call(apiKey, 'events.publish', { ...invoice, event_id: 'inv_2_paid', data: { invoice_id: 'inv_2', currency: 'EUR' } }),
      );
      await hook.waitFor(2);
      const archive = ok(await a.admin.call(herald.adminKey, 'event_types.archive', { name: 'invoice.paid' }));
      archived = true;
      expect(archive).toMatchObject({ type: 'invoice.paid', archived: true, archived_at: expect.any(String), publishable: false });

      // B refuses it on its very next publish and subscription, through both faces.
      for (const face of [b.trpc, b.rest]) {
        expect(await face.call(apiKey, 'events.publish', { ...invoice, data: { invoice_id: 'inv_3', currency: 'EUR' } })).toMatchObject({
          status: 400,
          errors: [{ path: 'type', message: 'is archived: it can no longer be published' }],
        });
        expect(
          await face.call(apiKey, 'webhooks.create', { url: hook.url, event_types: ['message.received', 'invoice.paid'] }),
        ).toMatchObject({
          status: 400,
          errors: [{ path: 'event_types.1', message: 'is archived: it can no longer be subscribed to' }],
        });
      }
      // A webhook that has it keeps it through later updates; listing by it still works.
      ok(await b.rest.call(apiKey, 'webhooks.update', { webhook_id: webhook.id, event_types: ['invoice.paid', 'message.received'] }));
      expect(ok(await b.rest.call(apiKey, 'webhooks.list', { event_type: 'invoice.paid' })).count).toBe(1);

      // The event accepted before the archive arrives.
      await expect
        .poll(() => hook.requests.filter((r) => JSON.parse(r.body).event_id === 'inv_2_paid').length, { timeout: 30_000 })
        .toBeGreaterThanOrEqual(2);
      await expect
        .poll(async () => ok(await b.rest.call(apiKey, 'deliveries.list', { event_id: 'inv_2_paid' })).deliveries[0]?.status, {
          timeout: 30_000,
        })
        .toBe('succeeded');

      // Both processes list it as archived, with its schema.
      for (const face of [a.rest, b.trpc]) {
        const { event_types } = ok(await face.call(undefined, 'event_types.list'));
        expect(event_types.find((t: { type: string }) => t.type === 'invoice.paid')).toMatchObject({
          archived: true,
          built_in: false,
          scope: 'account',
          schema: { required: ['invoice_id', 'currency'] },
        });
      }
      // Creating it again is a conflict, archived or not.
      expect(
        await b.rest.call(other.adminKey, 'event_types.create', { name: 'invoice.paid', description: 'again', scope: 'message' }),
      ).toMatchObject({
        status: 409,
        reason: 'event_type_exists',
      });
    } finally {
      // Drops the shared database too: this is the file's last test, and the first Herald's stop drops it again.
      await other.stop();
    }
  });
});
