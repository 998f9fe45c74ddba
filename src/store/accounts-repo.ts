import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../domain/ids.js';
import { createAccountExternalIds, insertAccountOnce } from './account-external-ids.js';
import type { AccountVersion, AccountVersions, Versions } from './account-versions.js';
import { accountApiKeys, addApiKeyEntry } from './api-key-entries.js';
import type { CatalogueVersion } from './catalogue-version.js';
import type { AccountDoc, ApiKeyDoc, ApiKeyHashDoc } from './documents.js';
import type { Collections } from './mongo.js';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return `hk_${randomBytes(24).toString('base64url')}`;
}

/** A key that authenticated, with the account's version read for it (which the request may use again). */
export interface Authenticated {
  accountId: string;
  version: AccountVersion;
  /** The event catalogue's version, read in the same round trip (a publish checks its copy with it). */
  catalogue: CatalogueVersion;
}

export interface AuthCacheOptions {
  /** A key is looked up again after this long even if the version did not move. */
  maxAgeMs?: number;
  /** Keys kept; the least recently used go first. */
  maxKeys?: number;
  now?: () => number;
  /**
   * false (HERALD_SPEEDUP_AUTH_CACHE=off, the plain path): every request reads its key's entry and the
   * account's version, every producer publish the account, as if this process had never seen them.
   */
  cache?: boolean;
}

export function createAccountsRepo(
  c: Collections,
  versions: AccountVersions,
  { maxAgeMs: keptMs = 60_000, maxKeys = 10_000, now = Date.now, cache = true }: AuthCacheOptions = {},
) {
  // The keys this process authenticated (by hash), valid while their account's version has not moved:
  // a revocation moves it after deleting the key's lookup entry, so a revoked key stops working in
  // every process on its next request, and a warm key costs one read (the version) per request.
  const known = new Map<string, { accountId: string; version: AccountVersion; readAt: number }>();
  const maxAgeMs = cache ? keptMs : 0;

  /** With the version read first: a revocation landing in between moves the version again afterwards. */
  async function lookUp(hash: string, { version, catalogue }: Versions, accountId: string): Promise<Authenticated | null> {
    const entry = await c.apiKeyHashes.findOne({ _id: hash });
    if (entry?.account_id !== accountId) {
      known.delete(hash);
      return null;
    }
    known.set(hash, { accountId, version, readAt: now() });
    if (known.size > maxKeys) known.delete(known.keys().next().value as string);
    return { accountId, version, catalogue };
  }

  const externalIds = createAccountExternalIds(c);
  // Accounts this process has seen exist: accounts are never deleted, so a publish for one needs no read to know it.
  const existing = new Set<string>();

  return {
    /** `externalId`: claimed first; a taken one throws ExternalIdTakenError (see account-external-ids.ts). */
    async create(name: string, now = new Date(), externalId?: string): Promise<{ account: AccountDoc; apiKey: string; key: ApiKeyDoc }> {
      const account: AccountDoc = { _id: newId('acc'), name, created_at: now };
      if (externalId !== undefined) {
        account.external_id = externalId;
        await externalIds.claim({ ...account, external_id: externalId });
      }
      await insertAccountOnce(c, account);
      const { apiKey, key } = await this.createApiKey(account._id, 'default', now);
      return { account, apiKey, key };
    },

    get(accountId: string): Promise<AccountDoc | null> {
      return c.accounts.findOne({ _id: accountId });
    },

    /** Newest first unless `ascending`; `after`: the last id of the previous page (ids sort by creation time). */
    async list(q: { limit: number; after?: string; ascending: boolean }): Promise<{ accounts: AccountDoc[]; next: string | null }> {
      const filter = q.after ? { _id: q.ascending ? { $gt: q.after } : { $lt: q.after } } : {};
      const page = await c.accounts
        .find(filter)
        .sort({ _id: q.ascending ? 1 : -1 })
        .limit(q.limit + 1)
        .toArray();
      const more = page.length > q.limit;
      const accounts = more ? page.slice(0, q.limit) : page;
      return { accounts, next: more ? (accounts.at(-1)?._id ?? null) : null };
    },

    /** The id of the account the platform knows as `externalId`, or null. */
    idByExternalId: externalIds.resolve,

    /**
     * What a producer key's publish needs of the account it names: that it exists, and its version (the
     * webhook matcher checks its copy against it, as authentication reads it for an account key). null:
     * no such account. One round trip (the version; the account too the first time this process sees it).
     */
    async readForPublish(accountId: string): Promise<Authenticated | null> {
      const [exists, read] = await Promise.all([
        existing.has(accountId) || c.accounts.findOne({ _id: accountId }, { projection: { _id: 1 } }).then((found) => found !== null),
        versions.readWithCatalogue(accountId),
      ]);
      if (!exists) return null;
      if (!cache) return { accountId, ...read };
      existing.add(accountId);
      if (existing.size > maxKeys * 10) existing.delete(existing.values().next().value as string);
      return { accountId, ...read };
    },

    /** The key is returned once; only its hash is stored. */
    async createApiKey(accountId: string, name: string, now = new Date()): Promise<{ apiKey: string; key: ApiKeyDoc }> {
      const apiKey = generateApiKey();
      const key: ApiKeyDoc = {
        _id: newId('key'),
        account_id: accountId,
        name,
        key_hash: hashApiKey(apiKey),
        prefix: apiKey.slice(0, 7),
        created_at: now,
        revoked_at: null,
      };
      // Its entry, the key, then what makes it usable: a key that can authenticate is always listed (and revocable).
      await addApiKeyEntry(c, accountId, key._id);
      await c.apiKeys.insertOne(key);
      await c.apiKeyHashes.insertOne(hashDoc(key));
      return { apiKey, key };
    },

    /** Through the account's key entries (api-key-entries.ts), in id order. */
    listApiKeys(accountId: string): Promise<ApiKeyDoc[]> {
      return accountApiKeys(c, accountId);
    },

    /** Scoped by account. By `_id` alone, the account compared here: FerretDB scans for any other filter. */
    async getApiKey(accountId: string, keyId: string): Promise<ApiKeyDoc | null> {
      const key = await c.apiKeys.findOne({ _id: keyId });
      return key?.account_id === accountId ? key : null;
    },

    async countActiveApiKeys(accountId: string): Promise<number> {
      return (await accountApiKeys(c, accountId)).filter((k) => k.revoked_at === null).length;
    },

    /** Revokes the key, for every process from its next request on. Revoking twice keeps the first time. */
    async revokeApiKey(accountId: string, keyId: string, now = new Date()): Promise<ApiKeyDoc | null> {
      const key = await this.getApiKey(accountId, keyId);
      if (!key || key.revoked_at !== null) return key;
      // Unusable first, then marked revoked: a crash in between can only end a key early, never leave
      // a revoked one usable.
      await c.apiKeyHashes.deleteOne({ _id: key.key_hash });
      await c.apiKeys.updateOne({ _id: keyId }, { $set: { revoked_at: now } });
      // Last: every process's copy of this key is checked against it (see `authenticate`).
      await versions.touch(accountId);
      return this.getApiKey(accountId, keyId);
    },

    /**
     * The account a (non-revoked) key belongs to, and its version. A key this process knows costs one
     * read (the version); one it does not, three (its entry, the version, its entry again).
     */
    async authenticate(apiKey: string): Promise<(Authenticated & { keyHash: string }) | null> {
      const keyHash = hashApiKey(apiKey);
      const found = await authenticateHash(keyHash);
      return found && { ...found, keyHash };
    },
  };

  /** The key's account and version, by the key's hash (see authenticate). */
  async function authenticateHash(hash: string): Promise<Authenticated | null> {
    const copy = known.get(hash);
    if (copy && now() - copy.readAt < maxAgeMs) {
      const read = await versions.readWithCatalogue(copy.accountId);
      if (read.version === copy.version) {
        known.delete(hash);
        known.set(hash, copy);
        return { accountId: copy.accountId, ...read };
      }
      return lookUp(hash, read, copy.accountId);
    }
    const entry = await c.apiKeyHashes.findOne({ _id: hash });
    if (!entry) {
      known.delete(hash);
      return null;
    }
    return lookUp(hash, await versions.readWithCatalogue(entry.account_id), entry.account_id);
  }
}

function hashDoc(key: ApiKeyDoc): ApiKeyHashDoc {
  return { _id: key.key_hash, account_id: key.account_id, key_id: key._id };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
