// Producer keys: the platform's backend publishes events for every account with one key, made by the
// operator (admin key). Shown once and stored hashed, like account API keys; found by their hash in one
// read by `_id` (the `producer_key_hashes` entry). No per-process copy: every request with a producer key
// reads its entry, and a revocation deletes the entry first, so it holds in every Herald process from the
// next request on.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../domain/ids.js';
import type { ProducerKeyDoc } from './documents.js';
import type { Collections } from './mongo.js';

/** Account keys are `hk_…` and the admin key `hk_admin_…`: this prefix tells a producer key apart before any read. */
export const PRODUCER_KEY_PREFIX = 'hkp_';

export function isProducerKey(key: string): boolean {
  return key.startsWith(PRODUCER_KEY_PREFIX);
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function createProducerKeysRepo(c: Collections) {
  return {
    /** The key is returned once; only its hash is stored. */
    async create(name: string, now = new Date()): Promise<{ producerKey: string; key: ProducerKeyDoc }> {
      const producerKey = `${PRODUCER_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
      const key: ProducerKeyDoc = {
        _id: newId('pk', now.getTime()),
        name,
        key_hash: hashKey(producerKey),
        prefix: producerKey.slice(0, PRODUCER_KEY_PREFIX.length + 4),
        created_at: now,
        revoked_at: null,
      };
      // The key first, then what makes it usable: a key that can authenticate is always listed (and revocable).
      await c.producerKeys.insertOne(key);
      await c.producerKeyHashes.insertOne({ _id: key.key_hash, key_id: key._id });
      return { producerKey, key };
    },

    list(): Promise<ProducerKeyDoc[]> {
      return c.producerKeys.find({}).sort({ _id: 1 }).toArray();
    },

    get(keyId: string): Promise<ProducerKeyDoc | null> {
      return c.producerKeys.findOne({ _id: keyId });
    },

    /** Unusable first, then marked revoked: a crash in between can only end a key early. Revoking twice keeps the first time. */
    async revoke(keyId: string, now = new Date()): Promise<ProducerKeyDoc | null> {
      const key = await c.producerKeys.findOne({ _id: keyId });
      if (!key || key.revoked_at !== null) return key;
      await c.producerKeyHashes.deleteOne({ _id: key.key_hash });
      await c.producerKeys.updateOne({ _id: keyId }, { $set: { revoked_at: now } });
      return c.producerKeys.findOne({ _id: keyId });
    },

    /** The id of the (non-revoked) producer key, or null: one read by `_id`. */
    async authenticate(producerKey: string): Promise<{ keyId: string } | null> {
      const entry = await c.producerKeyHashes.findOne({ _id: hashKey(producerKey) });
      return entry ? { keyId: entry.key_id } : null;
    },
  };
}

export type ProducerKeysRepo = ReturnType<typeof createProducerKeysRepo>;
