// The webhook resource through both faces (typed tRPC client and REST), against the real stack:
// every procedure, secret shown once, both idempotency paths, PATCH semantics, pagination under
// concurrent inserts, the per-account limit, secret rotation verified with `standardwebhooks`.

import { MongoClient } from 'mongodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyWebhook } from '../../src/client/index.js';
import { webhookMessageId } from '../../src/domain/ids.js';
import { timeEntry } from '../../src/store/time-entries.js';
import { type CallResult, type Face, ok, restFace, trpcFace } from '../support/faces.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.js';

const LIMIT = 20;

let herald: TestHerald;
let receiver: Receiver;
const faces: Record<string, Face> = {};
beforeAll(async () => {
  herald = await startTestHerald({ HERALD_MAX_WEBHOOKS_PER_ACCOUNT: String(LIMIT) });
  receiver = await startReceiver();
  faces.tRPC = trpcFace(herald.url);
  faces.REST = restFace(herald.url);
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

function headersOf(request: ReceivedRequest) {
  return {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
}

/** True when the standardwebhooks reference library accepts the request under this secret. */
function verifiesWith(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, headersOf(request));
    return true;
  } catch {
    return false;
  }
}

describe.each(['tRPC', 'REST'])('webhooks through %s', (faceName) => {
  const face = () => faces[faceName] as Face;

  it('creates, gets, lists, updates, disables, enables, tests and deletes a webhook', async () => {
    const { apiKey, accountId } = await herald.newAccount();
    const call = (procedure: string, input?: Record<string, unknown>) => face().call(apiKey, procedure, input);

    const created = ok(
      await call('webhooks.create', {
        url: `${receiver.url}/a`,
        event_types: ['message.received', 'message.bounced'],
        inbox_ids: ['inbox_1'],
        name: '  Orders  ',
        client_id: 'orders-hook',
      }),
    );
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      account_id: accountId,
      url: `${receiver.url}/a`,
      name: 'Orders',
      event_types: ['message.received', 'message.bounced'],
      inbox_ids: ['inbox_1'],
      pod_ids: [],
      client_id: 'orders-hook',
      status: 'active',
      enabled: true,
      failure_count: 0,
      last_delivered_at: null,
      last_failure_at: null,
      last_error: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/),
    });
    expect(Date.parse(created.created_at)).not.toBeNaN();

    // The secret is shown at creation only: not on get, list, update, disable, enable, nor a client_id replay.
    const fetched = ok(await call('webhooks.get', { webhook_id: created.id }));
    const { secret: _secret, ...withoutSecret } = created;
    expect(fetched).toEqual(withoutSecret);
    const listed = ok(await call('webhooks.list', {}));
    expect(listed).toMatchObject({ count: 1, limit: 20, next_page_token: null });
    expect(listed.webhooks).toEqual([withoutSecret]);
    const again = ok(
      await call('webhooks.create', { url: `${receiver.url}/other`, event_types: ['message.sent'], client_id: 'orders-hook' }),
    );
    expect(again).toEqual(withoutSecret);

    const updated = ok(
      await call('webhooks.update', {
        webhook_id: created.id,
        url: `${receiver.url}/b`,
        name: null,
        event_types: ['message.sent'],
        add_inbox_ids: ['inbox_2', 'inbox_3'],
        remove_inbox_ids: ['inbox_1'],
        add_pod_ids: ['pod_1'],
      }),
    );
    expect(updated).toMatchObject({
      url: `${receiver.url}/b`,
      name: null,
      event_types: ['message.sent'],
      inbox_ids: ['inbox_2', 'inbox_3'],
      pod_ids: ['pod_1'],
      status: 'active',
    });
    expect(updated).not.toHaveProperty('secret');
    expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
    // Only the given fields change.
    const renamed = ok(await call('webhooks.update', { webhook_id: created.id, name: 'Renamed', remove_pod_ids: ['pod_1'] }));
    expect(renamed).toMatchObject({ name: 'Renamed', url: `${receiver.url}/b`, inbox_ids: ['inbox_2', 'inbox_3'], pod_ids: [] });

    const disabled = ok(await call('webhooks.disable', { webhook_id: created.id }));
    expect(disabled).toMatchObject({ status: 'disabled', enabled: false });
    expect(ok(await call('webhooks.list', { status: 'disabled' })).count).toBe(1);
    expect(ok(await call('webhooks.list', { status: 'active' })).count).toBe(0);
    const enabled = ok(await call('webhooks.enable', { webhook_id: created.id }));
    expect(enabled).toMatchObject({ status: 'active', enabled: true, failure_count: 0, resumed_deliveries: 0 });
    expect(ok(await call('webhooks.update', { webhook_id: created.id, enabled: false }))).toMatchObject({ status: 'disabled' });
    expect(ok(await call('webhooks.update', { webhook_id: created.id, enabled: true }))).toMatchObject({ status: 'active' });
    expect(ok(await call('webhooks.get', { webhook_id: created.id }))).not.toHaveProperty('secret');

    const before = receiver.requests.length;
    const test = ok(await call('webhooks.test', { webhook_id: created.id }));
    expect(test).toMatchObject({
      event_id: expect.stringMatching(/^evt_/),
      success: true,
      status_code: 200,
      response_body: 'ok',
      error: null,
    });
    const request = receiver.requests[before];
    if (!request) throw new Error('the receiver got no test request');
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'webhook.test',
      event_id: test.event_id,
      account_id: accountId,
      webhook: { id: created.id, url: `${receiver.url}/b` },
    });
    expect(request.headers['webhook-id']).toBe(webhookMessageId(accountId, test.event_id));
    expect(verifiesWith(created.secret, request)).toBe(true);
    expect(verifyWebhook(request.body, request.headers, created.secret)).toEqual({ ok: true });

    expect(ok(await call('webhooks.delete', { webhook_id: created.id }))).toEqual({ id: created.id, deleted: true });
    expect(await call('webhooks.get', { webhook_id: created.id })).toMatchObject({ ok: false, status: 404 });
    expect(await call('webhooks.delete', { webhook_id: created.id })).toMatchObject({ ok: false, status: 404 });
    expect(ok(await call('webhooks.list', {})).count).toBe(0);
  });

  it('reports what a failing endpoint answered to webhooks.test', async () => {
    const failing = await startReceiver(() => ({ status: 500, body: 'database on fire' }));
    const { apiKey } = await herald.newAccount();
    const webhook = ok(await face().call(apiKey, 'webhooks.create', { url: failing.url, event_types: ['message.sent'], enabled: false }));
    // Even a disabled webhook can be tested: checking an endpoint before enabling it is the point.
    expect(webhook.status).toBe('disabled');
    const result = ok(await face().call(apiKey, 'webhooks.test', { webhook_id: webhook.id }));
    expect(result).toMatchObject({ success: false, status_code: 500, response_body: 'database on fire', error: 'HTTP 500' });
    await failing.close();
    const unreachable = ok(await face().call(apiKey, 'webhooks.test', { webhook_id: webhook.id }));
    expect(unreachable).toMatchObject({
      success: false,
      status_code: null,
      response_body: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    // A test does not count towards the webhook's health.
    expect(ok(await face().call(apiKey, 'webhooks.get', { webhook_id: webhook.id }))).toMatchObject({ failure_count: 0, last_error: null });
  });

  it('replays the first answer for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const { apiKey } = await herald.newAccount();
    const body = { url: `${receiver.url}/idem`, event_types: ['message.sent'] };
    const first = ok(await face().call(apiKey, 'webhooks.create', body, { idempotencyKey: 'key-1' }));
    expect(first.secret).toMatch(/^whsec_/);
    // Same key, same body (fields in another order): the same webhook and the same answer, secret included.
    const replay = ok(
      await face().call(apiKey, 'webhooks.create', { event_types: ['message.sent'], url: body.url }, { idempotencyKey: 'key-1' }),
    );
    expect(replay).toEqual(first);
    const conflict = await face().call(apiKey, 'webhooks.create', { ...body, name: 'different' }, { idempotencyKey: 'key-1' });
    expect(conflict).toMatchObject({ ok: false, status: 409, reason: 'idempotency_conflict' });
    // Another key is another request; and keys are per account.
    const second = ok(await face().call(apiKey, 'webhooks.create', body, { idempotencyKey: 'key-2' }));
    expect(second.id).not.toBe(first.id);
    const other = await herald.newAccount();
    const otherFirst = ok(await face().call(other.apiKey, 'webhooks.create', body, { idempotencyKey: 'key-1' }));
    expect(otherFirst.id).not.toBe(first.id);
    expect(ok(await face().call(apiKey, 'webhooks.list', {})).count).toBe(2);
    // A request that failed is not remembered: the key can be used again once the input is fixed.
    const invalid = await face().call(apiKey, 'webhooks.create', { ...body, url: 'ftp://example.com' }, { idempotencyKey: 'key-3' });
    expect(invalid).toMatchObject({ ok: false, status: 400 });
    expect(ok(await face().call(apiKey, 'webhooks.create', body, { idempotencyKey: 'key-3' })).secret).toMatch(/^whsec_/);
    const tooLong = await face().call(apiKey, 'webhooks.create', body, { idempotencyKey: 'k'.repeat(256) });
    expect(tooLong).toMatchObject({ ok: false, status: 400, errors: [expect.objectContaining({ path: 'Idempotency-Key' })] });
  });

  it('enforces scope limits after applying add_/remove_ changes and re-checks a changed URL', async () => {
    const { apiKey } = await herald.newAccount();
    const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `inbox_${from + i}`);
    const webhook = ok(
      await face().call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.sent'], inbox_ids: ids(8) }),
    );
    const over = await face().call(apiKey, 'webhooks.update', { webhook_id: webhook.id, add_inbox_ids: ids(3, 8) });
    expect(over).toMatchObject({ ok: false, status: 400, errors: [expect.objectContaining({ path: 'add_inbox_ids' })] });
    // Removing first makes room: the limit holds after applying both.
    const swapped = ok(
      await face().call(apiKey, 'webhooks.update', { webhook_id: webhook.id, add_inbox_ids: ids(3, 8), remove_inbox_ids: ids(1) }),
    );
    expect(swapped.inbox_ids).toEqual(ids(10, 1).slice(0, 10));
    const both = await face().call(apiKey, 'webhooks.update', { webhook_id: webhook.id, add_pod_ids: ['p'], remove_pod_ids: ['p'] });
    expect(both).toMatchObject({ ok: false, status: 400, errors: [expect.objectContaining({ path: 'remove_pod_ids' })] });
    const badUrl = await face().call(apiKey, 'webhooks.update', { webhook_id: webhook.id, url: 'ftp://example.com/hook' });
    expect(badUrl).toMatchObject({ ok: false, status: 400, errors: [expect.objectContaining({ path: 'url' })] });
    expect(ok(await face().call(apiKey, 'webhooks.get', { webhook_id: webhook.id })).url).toBe(receiver.url);
  });

  it('pages through webhooks without duplicates or gaps while others are inserted', async () => {
    const { apiKey } = await herald.newAccount();
    const create = (i: number) => face().call(apiKey, 'webhooks.create', { url: `${receiver.url}/${i}`, event_types: ['message.sent'] });
    const initial: string[] = [];
    for (let i = 0; i < 12; i++) initial.push(ok(await create(i)).id);

    for (const ascending of [false, true]) {
      const seen: string[] = [];
      let token: string | null = null;
      let inserted = 0;
      do {
        // Inserts race every page request.
        const [page] = await Promise.all<CallResult | undefined>([
          face().call(apiKey, 'webhooks.list', { limit: 5, ascending, ...(token ? { page_token: token } : {}) }),
          inserted < 3 ? create(100 + inserted++) : undefined,
        ]);
        if (!page) throw new Error('unreachable');
        const data: { webhooks: { id: string }[]; next_page_token: string | null } = ok(page);
        expect(data.webhooks.length).toBeLessThanOrEqual(5);
        seen.push(...data.webhooks.map((w) => w.id));
        token = data.next_page_token;
      } while (token);
      expect(new Set(seen).size).toBe(seen.length);
      if (ascending) {
        // Everything that existed before is there, in creation order; newer ones may follow at the end.
        expect(seen.slice(0, initial.length + 3)).toEqual(expect.arrayContaining(initial));
        expect(seen).toEqual([...seen].sort());
      } else {
        // Newest first from the moment of the first page: later inserts never appear, nothing is skipped.
        const existing = seen.filter((id) => initial.includes(id));
        expect(existing).toEqual([...initial].reverse());
        expect(seen).toEqual([...seen].sort().reverse());
      }
    }
  });

  it('filters by inbox_id and event_type', async () => {
    const { apiKey } = await herald.newAccount();
    const a = ok(await face().call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.sent'], inbox_ids: ['in_a'] }));
    const b = ok(await face().call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.bounced', 'message.sent'] }));
    const ids = async (filter: Record<string, unknown>) =>
      ok(await face().call(apiKey, 'webhooks.list', filter)).webhooks.map((w: { id: string }) => w.id);
    expect(await ids({ inbox_id: 'in_a' })).toEqual([a.id]);
    expect(await ids({ event_type: 'message.bounced' })).toEqual([b.id]);
    expect(await ids({ event_type: 'message.sent', ascending: true })).toEqual([a.id, b.id]);
    expect(await ids({ event_type: 'message.sent', ascending: false })).toEqual([b.id, a.id]);
  });

  it('rotates the secret: both verify during the grace period, only the new one after it', async () => {
    const rotating = await startReceiver();
    const { apiKey } = await herald.newAccount();
    const webhook = ok(await face().call(apiKey, 'webhooks.create', { url: rotating.url, event_types: ['message.sent'] }));
    const rotated = ok(await face().call(apiKey, 'webhooks.rotate_secret', { webhook_id: webhook.id }));
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(webhook.secret);
    expect(ok(await face().call(apiKey, 'webhooks.get', { webhook_id: webhook.id }))).not.toHaveProperty('secret');

    ok(await face().call(apiKey, 'webhooks.test', { webhook_id: webhook.id }));
    const [during] = await rotating.waitFor(1);
    if (!during) throw new Error('unreachable');
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifiesWith(webhook.secret, during)).toBe(true);
    expect(verifiesWith(rotated.secret, during)).toBe(true);
    // Real deliveries carry both signatures during the grace period too.
    ok(await face().call(apiKey, 'events.publish', { type: 'message.sent', data: { message: { id: 'm1', from: 'a@example.com' } } }));
    const [, delivered] = await rotating.waitFor(2);
    if (!delivered) throw new Error('unreachable');
    expect(JSON.parse(delivered.body)).toMatchObject({ event: 'message.sent' });
    expect(verifiesWith(webhook.secret, delivered)).toBe(true);
    expect(verifiesWith(rotated.secret, delivered)).toBe(true);

    // A short grace period: after it, only the newest secret signs.
    const again = ok(await face().call(apiKey, 'webhooks.rotate_secret', { webhook_id: webhook.id, grace_period_seconds: 1 }));
    await expect
      .poll(
        async () => {
          ok(await face().call(apiKey, 'webhooks.test', { webhook_id: webhook.id }));
          return String(rotating.requests.at(-1)?.headers['webhook-signature']).split(' ').length;
        },
        { timeout: 10_000, interval: 300 },
      )
      .toBe(1);
    const after = rotating.requests.at(-1);
    if (!after) throw new Error('unreachable');
    expect(verifiesWith(again.secret, after)).toBe(true);
    expect(verifiesWith(rotated.secret, after)).toBe(false);
    expect(verifiesWith(webhook.secret, after)).toBe(false);
    await rotating.close();
  });

  it('refuses a webhook beyond the per-account limit, but still answers a client_id retry', async () => {
    const { apiKey } = await herald.newAccount();
    const made = await Promise.all(
      Array.from({ length: LIMIT }, (_, i) =>
        face().call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.sent'], client_id: `c${i}` }),
      ),
    );
    expect(made.every((r) => r.ok)).toBe(true);
    const refused = await face().call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.sent'] });
    expect(refused).toMatchObject({ ok: false, status: 403, reason: 'webhook_limit_reached' });
    if (refused.ok) throw new Error('unreachable');
    expect(refused.message).toContain(String(LIMIT));
    const retry = ok(await face().call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.sent'], client_id: 'c0' }));
    const first = made[0];
    if (!first?.ok) throw new Error('unreachable');
    expect(retry.id).toBe(first.data.id);
  });
});

describe('both faces together', () => {
  it('replays an Idempotency-Key used over REST when the same request comes over tRPC', async () => {
    const { apiKey } = await herald.newAccount();
    const body = { url: receiver.url, event_types: ['message.delivered'] };
    const viaRest = ok(await (faces.REST as Face).call(apiKey, 'webhooks.create', body, { idempotencyKey: 'shared' }));
    const viaTrpc = ok(await (faces.tRPC as Face).call(apiKey, 'webhooks.create', body, { idempotencyKey: 'shared' }));
    expect(viaTrpc).toEqual(viaRest);
  });

  it('answers concurrent creates with one Idempotency-Key with one webhook', async () => {
    const { apiKey } = await herald.newAccount();
    const body = { url: receiver.url, event_types: ['message.sent'] };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => (faces.REST as Face).call(apiKey, 'webhooks.create', body, { idempotencyKey: 'race' })),
    );
    // One ran; the others either replayed it or were told it is still running (409, retry later).
    const ids = new Set(results.filter((r) => r.ok).map((r) => (r.ok ? r.data.id : null)));
    expect(ids.size).toBe(1);
    for (const r of results) if (!r.ok) expect(r).toMatchObject({ status: 409, reason: 'idempotency_in_progress' });
    expect(ok(await (faces.REST as Face).call(apiKey, 'webhooks.list', {})).count).toBe(1);
  });
});

describe('Idempotency-Key window', () => {
  it('forgets a key after 24 hours (by age in the query) and deleteExpired removes old records', async () => {
    const { apiKey } = await herald.newAccount();
    const rest = faces.REST as Face;
    const first = ok(
      await rest.call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.sent'] }, { idempotencyKey: 'old' }),
    );
    // Age the record by 25 hours, as if the first request had been made yesterday.
    const mongo = await MongoClient.connect(inject('mongodbUri'));
    try {
      const records = mongo.db(herald.deps.config.mongodb.database).collection('idempotency_keys');
      const aged = await records.updateMany({ key: 'old' }, { $set: { created_at: new Date(Date.now() - 25 * 3600 * 1000) } });
      expect(aged.modifiedCount).toBe(1);
      // The key is free again: another body with it is a new request, not a conflict.
      const fresh = ok(
        await rest.call(apiKey, 'webhooks.create', { url: receiver.url, event_types: ['message.bounced'] }, { idempotencyKey: 'old' }),
      );
      expect(fresh.id).not.toBe(first.id);
      const yesterday = new Date(Date.now() - 25 * 3600 * 1000);
      await records.updateMany({ key: 'old' }, { $set: { created_at: yesterday } });
      // Aged with its retention entry (time-entries.ts), as a request made yesterday would have left it.
      const record = await records.findOne({ key: 'old' });
      await records.insertOne(timeEntry(String(record?._id), yesterday) as never);
      expect(await herald.deps.store.idempotency.deleteExpired(new Date(Date.now() - 24 * 3600 * 1000))).toBeGreaterThanOrEqual(1);
      expect(await records.countDocuments({ key: 'old' })).toBe(0);
    } finally {
      await mongo.close();
    }
  });
});
