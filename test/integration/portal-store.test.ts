// The portal's links and sessions in the store (src/store/portal-repo.ts), on the real MongoDB-protocol
// server: only hashes are stored, a link is exchanged once however many exchanges race, and retention
// (the purge activity the retention schedule runs) deletes links, claims and sessions older than two days.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPurgeExpired } from '../../activities/retention.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald;
let mongo: MongoClient;

beforeAll(async () => {
  herald = await startTestHerald();
  mongo = await MongoClient.connect(inject('mongodbUri'));
});
afterAll(async () => {
  await mongo?.close();
  await herald?.stop();
});

const collection = (name: string) => mongo.db(herald.deps.config.mongodb.database).collection(name);
const HOUR = 3_600_000;

describe('portal links and sessions in the store', () => {
  it('keeps no token, only hashes', async () => {
    const { accountId } = await herald.newAccount();
    const token = await herald.deps.store.portal.createLink(accountId, new Date(Date.now() + HOUR));
    const outcome = await herald.deps.store.portal.exchange(token);
    if (!outcome.ok) throw new Error(outcome.reason);
    const stored = JSON.stringify([
      ...(await collection('portal_links').find({}).toArray()),
      ...(await collection('portal_sessions').find({}).toArray()),
    ]);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(outcome.sessionToken);
  });

  it('exchanges a link once when ten exchanges race', async () => {
    const { accountId } = await herald.newAccount();
    const token = await herald.deps.store.portal.createLink(accountId, new Date(Date.now() + HOUR));
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => herald.deps.store.portal.exchange(token)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.reason)).toEqual(Array(9).fill('portal_link_used'));
  });

  it('retention deletes links, claims and sessions made more than two days ago, keeps the rest', async () => {
    const { accountId } = await herald.newAccount();
    const portal = herald.deps.store.portal;
    const old = new Date(Date.now() - 49 * HOUR);
    const oldToken = await portal.createLink(accountId, new Date(old.getTime() + HOUR), old);
    const oldSession = await portal.exchange(oldToken, old);
    const freshToken = await portal.createLink(accountId, new Date(Date.now() + HOUR));
    const freshSession = await portal.exchange(freshToken);
    if (!oldSession.ok || !freshSession.ok) throw new Error('exchange refused');

    const purge = createPurgeExpired(herald.deps.store);
    await expect
      .poll(async () => {
        await purge({ retentionDays: 30, batchSize: 100 });
        return (await portal.exchange(oldToken)).ok === false && (await portal.authenticate(oldSession.sessionToken)) === null;
      })
      .toBe(true);
    expect(await portal.exchange(oldToken)).toEqual({ ok: false, reason: 'portal_link_invalid' });
    // Nothing old is left, entries included; the fresh ones stay.
    for (const name of ['portal_links', 'portal_link_claims', 'portal_sessions']) {
      const docs = await collection(name).find({}).toArray();
      const left = docs.filter((d) => (d.created_at as Date | undefined) && (d.created_at as Date) < new Date(Date.now() - 48 * HOUR));
      expect({ name, left }).toEqual({ name, left: [] });
    }
    expect(await portal.authenticate(freshSession.sessionToken)).toMatchObject({ accountId });
    expect(await portal.exchange(freshToken)).toEqual({ ok: false, reason: 'portal_link_used' });
  });
});
