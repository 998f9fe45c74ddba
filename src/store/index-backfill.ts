// At start-up, once per database: index entries (index-keys.ts) for deliveries, events and webhooks
// stored before Herald kept them. Reads each collection once (the only whole-collection read, and only the first time
// a database meets this version), inserts what is missing, then leaves a marker so that it never runs
// again. Several processes starting at once may each run it: entries are inserted unordered, and an
// entry that exists already is fine.
import type { Collection } from 'mongodb';
import { addApiKeyEntry } from './api-key-entries.js';
import { deliveryEntries, statusEntry } from './deliveries-repo.js';
import type { DeliveryDoc, EventDoc } from './documents.js';
import type { EntryDoc } from './entry-scan.js';
import { eventEntries, undispatchedEntry } from './events-repo.js';
import { ENTRY_PREFIX, isEntryId } from './index-keys.js';
import { type Collections, onlyDuplicateKeys } from './mongo.js';
import { timeEntry } from './time-entries.js';
import { addClientEntry, addWebhookEntry } from './webhook-entries.js';

const MARKER = `${ENTRY_PREFIX}backfill|entries-v1`;
const CLIENT_MARKER = `${ENTRY_PREFIX}backfill|client-entries-v1`;

type AnyDoc = { _id: string; [field: string]: unknown };
const BATCH = 500;

export async function backfillIndexEntries(c: Collections): Promise<{ deliveries: number; events: number }> {
  const deliveries = await backfill(c.deliveries as unknown as Collection<AnyDoc>, (d) => {
    const delivery = d as unknown as DeliveryDoc;
    const status = statusEntry(delivery);
    return [...deliveryEntries(delivery), ...(status ? [status] : [])];
  });
  const events = await backfill(c.events as unknown as Collection<AnyDoc>, (e) => {
    const event = e as unknown as EventDoc;
    return [...eventEntries(event), ...(event.dispatched_at === null ? [undispatchedEntry(event)] : [])];
  });
  // Retention entries (time-entries.ts) of Idempotency-Key records and replay claims made before them.
  const dated = (d: AnyDoc) => (d.created_at instanceof Date ? [timeEntry(d._id, d.created_at)] : []);
  await backfill(c.idempotency as unknown as Collection<AnyDoc>, dated);
  await backfill(c.replayClaims as unknown as Collection<AnyDoc>, dated);
  await backfillWebhookEntries(c);
  await backfillClientEntries(c);
  await backfillApiKeyEntries(c);
  return { deliveries, events };
}

/** Entries of webhooks created before they existed (webhook-entries.ts): a read of `webhooks`, once. */
async function backfillWebhookEntries(c: Collections): Promise<void> {
  if (await c.webhookEntries.findOne({ _id: MARKER })) return;
  const webhooks = await c.webhooks.find({}, { projection: { _id: 1, account_id: 1 } }).toArray();
  for (const w of webhooks) await addWebhookEntry(c, w.account_id, w._id);
  await c.webhookEntries.insertOne({ _id: MARKER, ref: '' }).catch((error: unknown) => {
    if (!onlyDuplicateKeys(error)) throw error;
  });
}

/** Client-id entries (webhook-entries.ts) of webhooks created with a client_id before they existed. */
async function backfillClientEntries(c: Collections): Promise<void> {
  if (await c.webhookEntries.findOne({ _id: CLIENT_MARKER })) return;
  const webhooks = await c.webhooks.find({}, { projection: { _id: 1, account_id: 1, client_id: 1 } }).toArray();
  for (const w of webhooks) if (w.client_id) await addClientEntry(c, w.account_id, w.client_id, w._id);
  await c.webhookEntries.insertOne({ _id: CLIENT_MARKER, ref: '' }).catch((error: unknown) => {
    if (!onlyDuplicateKeys(error)) throw error;
  });
}

/** Entries of API keys created before they existed (api-key-entries.ts): a read of `api_keys`, once. */
async function backfillApiKeyEntries(c: Collections): Promise<void> {
  if (await c.apiKeyEntries.findOne({ _id: MARKER })) return;
  const keys = await c.apiKeys.find({}, { projection: { _id: 1, account_id: 1 } }).toArray();
  for (const k of keys) await addApiKeyEntry(c, k.account_id, k._id);
  await c.apiKeyEntries.insertOne({ _id: MARKER, ref: '' }).catch((error: unknown) => {
    if (!onlyDuplicateKeys(error)) throw error;
  });
}

async function backfill(collection: Collection<AnyDoc>, entriesOf: (doc: AnyDoc) => EntryDoc[]): Promise<number> {
  if (await collection.findOne({ _id: MARKER })) return 0;
  let done = 0;
  let batch: AnyDoc[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      await collection.insertMany(batch, { ordered: false });
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
    batch = [];
  };
  for await (const doc of collection.find({}, { batchSize: BATCH })) {
    if (typeof doc._id !== 'string' || isEntryId(doc._id)) continue;
    batch.push(...(entriesOf(doc) as unknown as AnyDoc[]));
    done++;
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await collection.insertOne({ _id: MARKER, at: new Date(), documents: done }).catch((error: unknown) => {
    // Two processes finishing at once: the other one wrote it.
    if (!onlyDuplicateKeys(error)) throw error;
  });
  return done;
}
