import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../domain/ids.js';
import type { AccountDoc, ApiKeyDoc } from './documents.js';
import type { Collections } from './mongo.js';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return `hk_${randomBytes(24).toString('base64url')}`;
}

export function createAccountsRepo(c: Collections) {
  return {
    async create(name: string, now = new Date()): Promise<{ account: AccountDoc; apiKey: string; key: ApiKeyDoc }> {
      const account: AccountDoc = { _id: newId('acc'), name, created_at: now };
      await c.accounts.insertOne(account);
      const { apiKey, key } = await this.createApiKey(account._id, 'default', now);
      return { account, apiKey, key };
    },

    get(accountId: string): Promise<AccountDoc | null> {
      return c.accounts.findOne({ _id: accountId });
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
      await c.apiKeys.insertOne(key);
      return { apiKey, key };
    },

    listApiKeys(accountId: string): Promise<ApiKeyDoc[]> {
      return c.apiKeys.find({ account_id: accountId }).sort({ _id: 1 }).toArray();
    },

    getApiKey(accountId: string, keyId: string): Promise<ApiKeyDoc | null> {
      return c.apiKeys.findOne({ _id: keyId, account_id: accountId });
    },

    countActiveApiKeys(accountId: string): Promise<number> {
      return c.apiKeys.countDocuments({ account_id: accountId, revoked_at: null });
    },

    /** Revokes the key (immediately: every request authenticates against the store). Revoking twice keeps the first time. */
    async revokeApiKey(accountId: string, keyId: string, now = new Date()): Promise<ApiKeyDoc | null> {
      await c.apiKeys.updateOne({ _id: keyId, account_id: accountId, revoked_at: null }, { $set: { revoked_at: now } });
      return this.getApiKey(accountId, keyId);
    },

    /** The account a (non-revoked) key belongs to. */
    async authenticate(apiKey: string): Promise<string | null> {
      const key = await c.apiKeys.findOne({ key_hash: hashApiKey(apiKey), revoked_at: null }, { projection: { account_id: 1 } });
      return key?.account_id ?? null;
    },
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
