// Every query the deliveries and events repositories send is answered from an index (explain, on
// FerretDB and on MongoDB), and the pages read through their index entries are the right ones:
// lists by account, webhook, event, status, type and inbox, in both orders, across pages and windows;
// a webhook's failed and parked deliveries; the reconciler's undispatched events; retention by age.
import { randomBytes } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeliveryDoc, DeliveryStatus, EventDoc } from '../../src/store/documents.js';
import { createStore, type Store } from '../../src/store/index.js';
import { backfillIndexEntries } from '../../src/store/index-backfill.js';
import { connectMongo, type Mongo } from '../../src/store/mongo.js';
import type { TimeCursor } from '../../src/store/time-cursor.js';
import { deliveryRecord } from '../../src/temporal/dispatch.js';
import { type QueryShape, queriesOf, scanReason } from '../support/explain-check.js';

const database = `herald_test_growth_${randomBytes(4).toString('hex')}`;
let mongo: Mongo;
let store: Store;
const sent: QueryShape[] = [];
const MONITORED = new Set([
  'deliveries',
  'events',
  'webhooks',
  'webhook_entries',
  'api_keys',
  'api_key_entries',
  'api_key_hashes',
  'idempotency_keys',
  'replay_claims',
  'write_claims',
  'webhook_slots',
]);

const T0 = Date.UTC(2026, 10, 1);
const accounts = ['acc_A', 'acc_B'];
const webhooks = { acc_A: ['wh_A1', 'wh_A2'], acc_B: ['wh_B1'] } as Record<string, string[]>;
const events: EventDoc[] = [];
const deliveries: DeliveryDoc[] = [];

beforeAll(async () => {
  mongo = await connectMongo(inject('mongodbUri'), database, { monitorCommands: true });
  store = createStore(mongo);
  // 40 events per account, a few milliseconds apart (some at the same instant), two inboxes, two types.
  for (const account of accounts) {
    for (let i = 0; i < 40; i++) {
      const created = new Date(T0 + Math.floor(i / 2) * 1000);
      const { event } = await store.events.insert({
        id: `evt_${account}_${String(i).padStart(2, '0')}`,
        account_id: account,
        type: i % 3 === 0 ? 'message.bounced' : 'message.received',
        inbox_id: i % 2 === 0 ? 'inbox_even' : 'inbox odd/€',
        pod_id: null,
        data: {},
        created_at: created,
      });
      events.push(event);
      const records = (webhooks[account] ?? []).map((wh) => deliveryRecord(event, { _id: wh }, created));
      await store.deliveries.insertMany(records);
      deliveries.push(...records);
    }
  }
  // Statuses: some failed, some parked, the rest succeeded.
  for (const [i, d] of deliveries.entries()) {
    const status: DeliveryStatus = i % 5 === 0 ? 'failed' : i % 7 === 0 ? 'parked' : 'succeeded';
    await store.deliveries.setStatus(d._id, status);
    d.status = status;
  }
  mongo.client.on('commandStarted', (e: CommandStartedEvent) => {
    for (const q of queriesOf(e.command)) if (MONITORED.has(q.collection)) sent.push(q);
  });
});

afterAll(async () => {
  await store?.dropDatabase();
  await mongo?.close();
});

const byCreated = (ascending: boolean) => (a: { created_at: Date; _id: string }, b: { created_at: Date; _id: string }) =>
  (ascending ? 1 : -1) * (a.created_at.getTime() - b.created_at.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));

async function allPages<T>(read: (after?: TimeCursor) => Promise<{ items: T[]; next: TimeCursor | null }>): Promise<T[]> {
  const out: T[] = [];
  let after: TimeCursor | undefined;
  for (let page = 0; page < 100; page++) {
    const { items, next } = await read(after);
    out.push(...items);
    if (!next) return out;
    after = next;
  }
  throw new Error('too many pages');
}

describe('deliveries.list through index entries', () => {
  for (const ascending of [false, true]) {
    it(`pages by webhook, account, status and window (${ascending ? 'oldest' : 'newest'} first)`, async () => {
      const cases: {
        filter: Partial<Record<'webhook_id' | 'status', string>>;
        since?: Date;
        until?: Date;
        expect: (d: DeliveryDoc) => boolean;
      }[] = [
        { filter: { webhook_id: 'wh_A1' }, expect: (d) => d.webhook_id === 'wh_A1' },
        { filter: {}, expect: (d) => d.account_id === 'acc_A' },
        { filter: { status: 'failed' }, expect: (d) => d.account_id === 'acc_A' && d.status === 'failed' },
        { filter: { webhook_id: 'wh_A2', status: 'parked' }, expect: (d) => d.webhook_id === 'wh_A2' && d.status === 'parked' },
        {
          filter: { webhook_id: 'wh_A1' },
          since: new Date(T0 + 5000),
          until: new Date(T0 + 12_000),
          expect: (d) => d.webhook_id === 'wh_A1' && d.created_at.getTime() >= T0 + 5000 && d.created_at.getTime() < T0 + 12_000,
        },
      ];
      for (const c of cases) {
        const got = await allPages(async (after) => {
          const { deliveries: items, next } = await store.deliveries.list('acc_A', {
            limit: 7,
            ascending,
            after,
            since: c.since,
            until: c.until,
            ...c.filter,
          } as Parameters<Store['deliveries']['list']>[1]);
          return { items, next };
        });
        const want = deliveries.filter(c.expect).sort(byCreated(ascending));
        expect(
          got.map((d) => d._id),
          JSON.stringify(c.filter),
        ).toEqual(want.map((d) => d._id));
      }
    });
  }

  it('lists an event’s deliveries, and finds nothing through another account’s webhook or event', async () => {
    const event = events[0] as EventDoc;
    const { deliveries: got } = await store.deliveries.list('acc_A', { limit: 10, ascending: true, event_id: event.id });
    expect(got.map((d) => d.webhook_id).sort()).toEqual(['wh_A1', 'wh_A2']);
    expect((await store.deliveries.list('acc_B', { limit: 10, ascending: true, webhook_id: 'wh_A1' })).deliveries).toEqual([]);
    expect((await store.deliveries.list('acc_B', { limit: 10, ascending: true, event_id: event.id })).deliveries).toEqual([]);
  });
});

describe('events.list through index entries', () => {
  it('pages by account, type, inbox (with characters that need encoding) and both', async () => {
    const cases = [
      { filter: {}, expect: (e: EventDoc) => e.account_id === 'acc_B' },
      { filter: { type: 'message.bounced' }, expect: (e: EventDoc) => e.account_id === 'acc_B' && e.type === 'message.bounced' },
      { filter: { inbox_id: 'inbox odd/€' }, expect: (e: EventDoc) => e.account_id === 'acc_B' && e.inbox_id === 'inbox odd/€' },
      {
        filter: { inbox_id: 'inbox_even', type: 'message.received' },
        expect: (e: EventDoc) => e.account_id === 'acc_B' && e.inbox_id === 'inbox_even' && e.type === 'message.received',
      },
    ];
    for (const ascending of [false, true]) {
      for (const c of cases) {
        const got = await allPages(async (after) => {
          const { events: items, next } = await store.events.list('acc_B', { limit: 6, ascending, after, ...c.filter } as Parameters<
            Store['events']['list']
          >[1]);
          return { items, next };
        });
        const want = events
          .filter(c.expect)
          .sort((a, b) => (ascending ? 1 : -1) * (a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1)));
        expect(
          got.map((e) => e._id),
          JSON.stringify(c.filter),
        ).toEqual(want.map((e) => e._id));
      }
    }
  });
});

describe('background reads through index entries', () => {
  it('pages a webhook’s failed deliveries in a window and counts them; lists parked ones in publication order', async () => {
    const window = { webhookId: 'wh_A1', since: new Date(T0), until: new Date(T0 + 15_000) };
    const want = deliveries
      .filter((d) => d.webhook_id === 'wh_A1' && d.status === 'failed' && d.event_created_at.getTime() < T0 + 15_000)
      .sort((a, b) => a.event_created_at.getTime() - b.event_created_at.getTime() || (a._id < b._id ? -1 : 1));
    expect(await store.deliveries.countFailed(window)).toBe(want.length);
    const got: string[] = [];
    let after: TimeCursor | null = null;
    do {
      const page = await store.deliveries.failedPage(window, after, 2);
      got.push(...page.deliveries.map((d) => d._id));
      after = page.next;
    } while (after);
    expect(got).toEqual(want.map((d) => d._id));

    const parked = deliveries
      .filter((d) => d.webhook_id === 'wh_A2' && d.status === 'parked')
      .sort((a, b) => a.event_created_at.getTime() - b.event_created_at.getTime() || (a.event_id < b.event_id ? -1 : 1));
    expect((await store.deliveries.parked('wh_A2', 100)).map((d) => d._id)).toEqual(parked.map((d) => d._id));
    // Released: no longer listed (its entry is dropped by the read that meets it).
    const first = parked[0] as DeliveryDoc;
    await store.deliveries.setStatus(first._id, 'succeeded');
    first.status = 'succeeded';
    expect((await store.deliveries.parked('wh_A2', 100)).map((d) => d._id)).toEqual(parked.slice(1).map((d) => d._id));
    expect(await store.deliveries.countParked('wh_A2')).toBe(parked.length - 1);
  });

  it('finds undispatched events through their markers, and forgets dispatched ones', async () => {
    const dispatched = events.slice(0, 30);
    for (const e of dispatched) await store.events.markDispatched(e.account_id, e.id);
    await expect
      .poll(async () => (await store.events.get('acc_A', (events[29] as EventDoc).id))?.dispatched_at, { timeout: 10_000 })
      .toBeInstanceOf(Date);
    const { events: found } = await store.events.undispatched(new Date(T0 + 3_600_000), 100);
    expect(found.map((e) => e._id).sort()).toEqual(
      events
        .slice(30)
        .map((e) => e._id)
        .sort(),
    );
    // The dispatched ones' markers are gone: a second pass reads only the undispatched ones.
    const markers = await mongo.collections.events.countDocuments({ _id: { $gte: '~u|', $lt: '~u}' } });
    expect(markers).toBe(events.length - 30);
  });

  it('deletes by age through the retention entries, with every entry of what it deletes', async () => {
    const before = new Date(T0 + 4000);
    const oldDeliveries = deliveries.filter((d) => d.created_at < before);
    const oldEvents = events.filter((e) => e.created_at < before);
    expect(await store.deliveries.deleteOlderThan(before, 1000)).toBe(oldDeliveries.length);
    expect(await store.events.deleteOlderThan(before, 1000)).toBe(oldEvents.length);
    expect(await store.deliveries.deleteOlderThan(before, 1000)).toBe(0);
    for (const d of oldDeliveries) expect(await store.deliveries.byId(d._id)).toBeNull();
    const left = await mongo.collections.deliveries.find({}).toArray();
    const leftIds = new Set(left.map((d) => d._id));
    // No entry points to a deleted delivery.
    const refs = (left as unknown as { _id: string; ref?: string }[]).filter((d) => d.ref !== undefined).map((d) => d.ref);
    for (const ref of refs) expect(leftIds.has(ref as string), ref).toBe(true);
    const { deliveries: page } = await store.deliveries.list('acc_A', { limit: 100, ascending: true });
    expect(page.every((d) => d.created_at >= before)).toBe(true);
  });

  it('makes the entries of data stored before they existed, once', async () => {
    // Entries removed, as on a database written by an older Herald.
    const entries = await mongo.collections.deliveries.countDocuments({ _id: { $gte: '~', $lt: '~~' } });
    await mongo.collections.deliveries.deleteMany({ _id: { $gte: '~', $lt: '~~' } });
    await mongo.collections.events.deleteMany({ _id: { $gte: '~', $lt: '~~' } });
    const made = await backfillIndexEntries(mongo.collections);
    expect(made.deliveries).toBeGreaterThan(0);
    expect(await mongo.collections.deliveries.countDocuments({ _id: { $gte: '~', $lt: '~~' } })).toBeGreaterThanOrEqual(entries - 1);
    expect(await backfillIndexEntries(mongo.collections)).toEqual({ deliveries: 0, events: 0 });
    const got = await store.deliveries.list('acc_A', { limit: 100, ascending: true, webhook_id: 'wh_A1' });
    expect(got.deliveries.length).toBe(deliveries.filter((d) => d.webhook_id === 'wh_A1' && d.created_at >= new Date(T0 + 4000)).length);
  });
});

describe('webhooks through their entries', () => {
  it('lists an account’s webhooks by status, inbox and type, and matches events, without reading other accounts’', async () => {
    const input = { url: 'https://example.com/h', inbox_ids: [], pod_ids: [], name: null, client_id: null, enabled: true };
    const made = [];
    for (const [i, types] of [['message.received'], ['message.bounced'], ['message.received', 'message.bounced']].entries()) {
      made.push(
        (
          await store.webhooks.create('acc_W', {
            ...input,
            event_types: types as ['message.received'],
            inbox_ids: i === 0 ? ['inbox_1'] : [],
            enabled: i !== 1,
          })
        ).webhook,
      );
    }
    await store.webhooks.create('acc_X', { ...input, event_types: ['message.received'] });
    const ids = (page: { webhooks: { _id: string }[] }) => page.webhooks.map((w) => w._id);
    expect(ids(await store.webhooks.list('acc_W', { limit: 10, ascending: true }))).toEqual(made.map((w) => w._id));
    expect(ids(await store.webhooks.list('acc_W', { limit: 10, ascending: false, status: 'disabled' }))).toEqual([made[1]?._id]);
    expect(ids(await store.webhooks.list('acc_W', { limit: 10, ascending: true, inbox_id: 'inbox_1' }))).toEqual([made[0]?._id]);
    const page1 = await store.webhooks.list('acc_W', { limit: 1, ascending: false, event_type: 'message.bounced' });
    expect(page1).toMatchObject({ count: 2, next: made[2]?._id });
    expect(
      ids(await store.webhooks.list('acc_W', { limit: 1, ascending: false, event_type: 'message.bounced', after: page1.next as string })),
    ).toEqual([made[1]?._id]);
    const matched = await store.webhooks.matching(
      { account_id: 'acc_W', type: 'message.received', inbox_id: 'inbox_2', pod_id: null },
      false,
    );
    expect(matched.map((w) => w._id)).toEqual([made[2]?._id]);
    await store.webhooks.delete('acc_W', made[2]?._id as string);
    expect(ids(await store.webhooks.list('acc_W', { limit: 10, ascending: true }))).toEqual([made[0]?._id, made[1]?._id]);
  });
});

describe('webhooks by client_id', () => {
  it('creates once per client_id, also when two creates race, and finds it through its entry', async () => {
    const input = { url: 'https://example.com/c', event_types: [], inbox_ids: [], pod_ids: [], name: null, enabled: true };
    const made = await Promise.all([1, 2, 3].map(() => store.webhooks.create('acc_C', { ...input, client_id: 'mine|1/€' })));
    expect(made.filter((m) => m.created)).toHaveLength(1);
    const id = made[0]?.webhook._id;
    expect(made.every((m) => m.webhook._id === id)).toBe(true);
    expect((await store.webhooks.byClientId('acc_C', 'mine|1/€'))?._id).toBe(id);
    expect(await store.webhooks.byClientId('acc_D', 'mine|1/€')).toBeNull();
    expect(await store.webhooks.byClientId('acc_C', 'mine|1')).toBeNull();
    // Claims left by writers that died (versioned-write.ts) go with the webhook; another one's stay.
    const claim = (docId: string, version: number) => ({ _id: `webhooks/${docId}/${version}/0`, doc_id: docId, expires_at: new Date(0) });
    const left = [claim(id as string, 1), claim(id as string, 2), claim(`${id}0`, 1), claim(`${id}`.slice(0, -1), 1)];
    await mongo.collections.writeClaims.insertMany(left);
    await store.webhooks.delete('acc_C', id as string);
    const claims = await mongo.collections.writeClaims.find({ _id: { $in: left.map((c) => c._id) } }).toArray();
    expect(claims.map((c) => c._id).sort()).toEqual([left[2]?._id, left[3]?._id].sort());
    expect(await store.webhooks.byClientId('acc_C', 'mine|1/€')).toBeNull();
    const again = await store.webhooks.create('acc_C', { ...input, client_id: 'mine|1/€' });
    expect(again.created).toBe(true);
    expect((await store.webhooks.byClientId('acc_C', 'mine|1/€'))?._id).toBe(again.webhook._id);
  });
});

describe('webhook slots through their _id range', () => {
  it('claims up to the limit per account and frees a released slot, whatever other accounts hold', async () => {
    const input = { url: 'https://example.com/s', event_types: [], inbox_ids: [], pod_ids: [], name: null, client_id: null, enabled: true };
    const create = async (account: string) => {
      const id = `wh_${account}_${randomBytes(3).toString('hex')}`;
      const slot = await store.webhookSlots.claim(account, id, 2);
      if (slot) await store.webhooks.create(account, input, new Date(), id);
      return slot;
    };
    expect(await create('acc_S1')).not.toBeNull();
    const a = await create('acc_S');
    expect(a).not.toBeNull();
    expect(await create('acc_S')).not.toBeNull();
    expect(await create('acc_S')).toBeNull();
    expect(await create('acc_S1')).not.toBeNull();
    await store.webhooks.delete('acc_S', a?.webhookId as string);
    expect(await create('acc_S')).not.toBeNull();
    expect(await create('acc_S')).toBeNull();
  });
});

describe('API keys through their entries', () => {
  it('lists an account’s keys and keeps its last active one, without reading other accounts’', async () => {
    const { account, key: first } = await store.accounts.create('keys');
    const other = await store.accounts.create('other keys');
    const { key: second } = await store.accounts.createApiKey(account._id, 'second');
    expect((await store.accounts.listApiKeys(account._id)).map((k) => k._id)).toEqual([first._id, second._id]);
    expect((await store.accounts.listApiKeys(other.account._id)).map((k) => k._id)).toEqual([other.key._id]);
    const revoked = await Promise.all([first, second].map((k) => store.apiKeyRevocation.revokeUnlessLast(account._id, k._id)));
    expect(revoked.filter((r) => r.ok)).toHaveLength(1);
    expect(revoked.filter((r) => !r.ok && r.error === 'last_api_key')).toHaveLength(1);
    expect(await store.accounts.countActiveApiKeys(account._id)).toBe(1);
    expect((await store.apiKeyRevocation.revokeUnlessLast(other.account._id, first._id)).ok).toBe(false);
  });
});

describe('retention of Idempotency-Key records and replay claims through their entries', () => {
  it('deletes the old ones in bounded batches, keeps the new and the taken over ones', async () => {
    const day = 24 * 3600 * 1000;
    const now = Date.now();
    const record = (key: string, at: number) => ({
      _id: `acc_R/webhooks.create/${key}`,
      account_id: 'acc_R',
      route: 'webhooks.create',
      key,
      request_hash: 'h',
      state: 'done' as const,
      response: null,
      created_at: new Date(at),
    });
    const window = { expiredBefore: new Date(now - day), abandonedBefore: new Date(now - 60_000) };
    for (const key of ['old 1', 'old|2', 'old/3', 'taken'])
      expect((await store.idempotency.claim(record(key, now - 2 * day), window)).claimed).toBe(true);
    // Expired, then taken over by a new request: kept.
    expect((await store.idempotency.claim(record('taken', now), window)).claimed).toBe(true);
    expect((await store.idempotency.claim(record('new', now), window)).claimed).toBe(true);
    for (const run of ['r1', 'r2']) expect(await store.replayClaims.claim('dlv_R', run, new Date(now - 2 * day))).toBe(true);
    expect(await store.replayClaims.claim('dlv_R', 'r3', new Date(now))).toBe(true);

    const before = new Date(now - day);
    let batches = 0;
    while ((await store.idempotency.deleteExpired(before, 2)) > 0) batches++;
    expect(batches).toBeGreaterThanOrEqual(2);
    expect(await store.replayClaims.deleteOlderThan(before, 10)).toBe(2);
    // By `_id` (what this test reads is recorded too).
    const ids = ['old 1', 'old|2', 'old/3', 'taken', 'new'].map((key) => record(key, now)._id);
    const left = await mongo.db
      .collection('idempotency_keys')
      .find({ _id: { $in: ids } } as never)
      .toArray();
    expect(left.map((d) => d.key).sort()).toEqual(['new', 'taken']);
    const claims = await mongo.db
      .collection('replay_claims')
      .find({ _id: { $in: ['dlv_R/r1', 'dlv_R/r2', 'dlv_R/r3'] } } as never)
      .toArray();
    expect(claims.map((d) => d._id)).toEqual(['dlv_R/r3']);
    // The retention entries read went with them.
    expect(await store.idempotency.deleteExpired(before, 10)).toBe(0);
    expect(await store.replayClaims.deleteOlderThan(before, 10)).toBe(0);
  });
});

describe('backfill of API key, client_id and retention entries', () => {
  it('makes the entries of what was stored before them, once per database', async () => {
    const at = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    await mongo.collections.apiKeys.insertOne({
      _id: 'key_old',
      account_id: 'acc_BF',
      name: 'old',
      key_hash: 'hash_old',
      prefix: 'hk_old',
      created_at: at,
      revoked_at: null,
    });
    const { webhook } = await store.webhooks.create('acc_BF', {
      url: 'https://example.com/b',
      event_types: [],
      inbox_ids: [],
      pod_ids: [],
      name: null,
      client_id: 'old client',
      enabled: true,
    });
    // As stored before the entries: without them.
    await mongo.collections.webhookEntries.deleteOne({ _id: `~c|acc_BF|old%20client|${webhook._id}` });
    await mongo.collections.idempotency.insertOne({
      _id: 'acc_BF/webhooks.create/old',
      account_id: 'acc_BF',
      route: 'webhooks.create',
      key: 'old',
      request_hash: 'h',
      state: 'done',
      response: null,
      created_at: at,
    });
    await mongo.collections.replayClaims.insertOne({ _id: 'dlv_BF/r1', delivery_id: 'dlv_BF', created_at: at });
    expect(await store.accounts.listApiKeys('acc_BF')).toEqual([]);
    expect(await store.webhooks.byClientId('acc_BF', 'old client')).toBeNull();
    // Markers left by the backfill above: this database meets these entries for the first time.
    const marker = '~backfill|entries-v1';
    await mongo.collections.apiKeyEntries.deleteOne({ _id: marker });
    await mongo.collections.webhookEntries.deleteOne({ _id: '~backfill|client-entries-v1' });
    await mongo.collections.idempotency.deleteOne({ _id: marker });
    await mongo.collections.replayClaims.deleteOne({ _id: marker });

    await backfillIndexEntries(mongo.collections);
    expect((await store.accounts.listApiKeys('acc_BF')).map((k) => k._id)).toEqual(['key_old']);
    expect((await store.webhooks.byClientId('acc_BF', 'old client'))?._id).toBe(webhook._id);
    const day = new Date(Date.now() - 24 * 3600 * 1000);
    expect(await store.idempotency.deleteExpired(day, 10)).toBe(1);
    expect(await store.replayClaims.deleteOlderThan(day, 10)).toBe(1);
    expect(await mongo.collections.idempotency.findOne({ _id: 'acc_BF/webhooks.create/old' })).toBeNull();
    expect(await mongo.collections.replayClaims.findOne({ _id: 'dlv_BF/r1' })).toBeNull();
  });
});

describe('explain', () => {
  it('answers every query the repositories sent from an index', async () => {
    // Only what the repositories sent while the tests above ran (the backfill's one read is exempt).
    const shapes = sent.filter((q) => !(q.filter && Object.keys(q.filter).length === 0 && !q.sort));
    expect(shapes.length).toBeGreaterThan(20);
    const seen = new Set<string>();
    const failures: string[] = [];
    for (const q of shapes) {
      const key = JSON.stringify(q, (_, v) => (typeof v === 'string' ? 's' : v instanceof Date ? 'd' : v));
      if (seen.has(key)) continue;
      seen.add(key);
      const reason = await scanReason(mongo.db, q);
      if (reason) failures.push(`${JSON.stringify(q)}: ${reason}`);
    }
    expect(failures).toEqual([]);
  });

  it('fails on a query that scans (the check itself can fail)', async () => {
    expect(await scanReason(mongo.db, { collection: 'deliveries', filter: { webhook_id: 'wh_A1' } })).not.toBeNull();
    expect(
      await scanReason(mongo.db, {
        collection: 'deliveries',
        filter: { _id: { $gte: '~w|', $lt: '~w}' } },
        sort: { created_at: -1 },
        limit: 5,
      }),
    ).not.toBeNull();
  });
});
