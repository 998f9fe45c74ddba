// Connection and indexes. Only features every MongoDB-protocol server here supports: no transactions,
// TTL or partial indexes, change streams. Uniqueness (the real idempotency guard) is by unique indexes.

import { type Collection, type Db, type Filter, MongoClient, type MongoClientOptions, MongoServerError } from 'mongodb';
import type {
  AccountDoc,
  AccountExternalIdDoc,
  ApiKeyDoc,
  ApiKeyGuardDoc,
  ApiKeyHashDoc,
  DeliveryDoc,
  EventDoc,
  EventTypeDoc,
  IdempotencyDoc,
  ListenRequestDoc,
  ListenResponseDoc,
  ListenSessionDoc,
  PortalLinkClaimDoc,
  PortalLinkDoc,
  PortalSessionDoc,
  ProducerKeyDoc,
  ProducerKeyHashDoc,
  ReplayClaimDoc,
  WebhookDoc,
  WebhookSlotDoc,
  WebhookStatsDoc,
  WebhookVersionDoc,
  WriteClaimDoc,
} from './documents.js';

export interface Collections {
  accounts: import('mongodb').Collection<AccountDoc>;
  apiKeys: import('mongodb').Collection<ApiKeyDoc>;
  apiKeyHashes: import('mongodb').Collection<ApiKeyHashDoc>;
  /** `~k|<account>|<key>`: an account's API keys by `_id` range (api-key-entries.ts). */
  apiKeyEntries: import('mongodb').Collection<{ _id: string; ref: string }>;
  webhooks: import('mongodb').Collection<WebhookDoc>;
  webhookStats: import('mongodb').Collection<WebhookStatsDoc>;
  webhookVersions: import('mongodb').Collection<WebhookVersionDoc>;
  /** `~a|<account>|<webhook>`: an account's webhooks by `_id` range (webhook-entries.ts). */
  webhookEntries: import('mongodb').Collection<{ _id: string; ref: string }>;
  writeClaims: import('mongodb').Collection<WriteClaimDoc>;
  events: import('mongodb').Collection<EventDoc>;
  deliveries: import('mongodb').Collection<DeliveryDoc>;
  idempotency: import('mongodb').Collection<IdempotencyDoc>;
  accountExternalIds: import('mongodb').Collection<AccountExternalIdDoc>;
  producerKeys: import('mongodb').Collection<ProducerKeyDoc>;
  producerKeyHashes: import('mongodb').Collection<ProducerKeyHashDoc>;
  eventTypes: import('mongodb').Collection<EventTypeDoc>;
  webhookSlots: import('mongodb').Collection<WebhookSlotDoc>;
  apiKeyGuards: import('mongodb').Collection<ApiKeyGuardDoc>;
  replayClaims: import('mongodb').Collection<ReplayClaimDoc>;
  portalLinks: import('mongodb').Collection<PortalLinkDoc>;
  portalLinkClaims: import('mongodb').Collection<PortalLinkClaimDoc>;
  portalSessions: import('mongodb').Collection<PortalSessionDoc>;
  listenSessions: import('mongodb').Collection<ListenSessionDoc>;
  listenRequests: import('mongodb').Collection<ListenRequestDoc>;
  listenResponses: import('mongodb').Collection<ListenResponseDoc>;
}

export interface Mongo {
  client: MongoClient;
  db: Db;
  collections: Collections;
  close(): Promise<void>;
}

/** `options`: for tests (e.g. `monitorCommands`, to see every query the store sends). */
export async function connectMongo(uri: string, database: string, options: MongoClientOptions = {}): Promise<Mongo> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 50, ...options });
  await client.connect();
  const db = client.db(database);
  const collections: Collections = {
    accounts: db.collection('accounts'),
    apiKeys: db.collection('api_keys'),
    apiKeyHashes: db.collection('api_key_hashes'),
    apiKeyEntries: db.collection('api_key_entries'),
    webhooks: db.collection('webhooks'),
    webhookStats: db.collection('webhook_stats'),
    webhookVersions: db.collection('webhook_versions'),
    webhookEntries: db.collection('webhook_entries'),
    writeClaims: db.collection('write_claims'),
    events: db.collection('events'),
    deliveries: db.collection('deliveries'),
    idempotency: db.collection('idempotency_keys'),
    accountExternalIds: db.collection('account_external_ids'),
    producerKeys: db.collection('producer_keys'),
    producerKeyHashes: db.collection('producer_key_hashes'),
    eventTypes: db.collection('event_types'),
    webhookSlots: db.collection('webhook_slots'),
    apiKeyGuards: db.collection('api_key_guards'),
    replayClaims: db.collection('replay_claims'),
    portalLinks: db.collection('portal_links'),
    portalLinkClaims: db.collection('portal_link_claims'),
    portalSessions: db.collection('portal_sessions'),
    listenSessions: db.collection('listen_sessions'),
    listenRequests: db.collection('listen_requests'),
    listenResponses: db.collection('listen_responses'),
  };
  await ensureIndexes(collections);
  return { client, db, collections, close: () => client.close() };
}

async function ensureIndexes(c: Collections): Promise<void> {
  // Only the unique indexes that guard idempotency: every read is by `_id`, or an `_id` range of index
  // entries (index-keys.ts), which the `_id` index answers on MongoDB and on Herald's FerretDB build. An
  // index no query uses would only cost every write.
  await Promise.all([
    c.apiKeys.createIndex({ key_hash: 1 }, { unique: true }),
    c.webhooks.createIndex({ client_key: 1 }, { unique: true, sparse: true }),
  ]);
}

/** Ids per delete: Herald's FerretDB build looks up an `_id: {$in}` of up to 1,000 by index (stock FerretDB scans). */
const IDS_PER_DELETE = 1_000;

/** Deletes documents by `_id`, a bounded number per command. Answers how many were deleted. */
export async function deleteByIds<T extends { _id: string }>(collection: Collection<T>, ids: string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_DELETE) {
    const { deletedCount } = await collection.deleteMany({ _id: { $in: ids.slice(i, i + IDS_PER_DELETE) } } as Filter<T>);
    deleted += deletedCount;
  }
  return deleted;
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

export interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
}

/** A bulk write error's per-document errors (the driver gives one alone or a list); empty for any other error. */
export function bulkWriteErrors(error: unknown): WriteErrorLike[] {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  return (Array.isArray(raw) ? raw : raw ? [raw] : []) as WriteErrorLike[];
}

/** An unordered insertMany's error caused by duplicate keys only (the other documents went in). */
export function onlyDuplicateKeys(error: unknown): boolean {
  const errors = bulkWriteErrors(error);
  return isDuplicateKey(error) || (errors.length > 0 && errors.every((e) => e.code === 11000));
}
