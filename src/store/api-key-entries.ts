// An account's API keys through index entries (`~k|<account>|<key>` in `api_key_entries`): one `_id`
// range and one `_id: {$in}`, both indexed on MongoDB and on Herald's FerretDB build, instead of a filter
// on `account_id`, which FerretDB answers by reading every key of every account. Used by api_keys.list
// and by the last-key check of a revocation (api-key-revocation.ts).
//
// The entry is made before its key (and keys are never deleted): a key always has its entry; an entry
// whose key insert failed points to nothing and is skipped.
import type { ApiKeyDoc } from './documents.js';
import { byIds, readEntries } from './entry-scan.js';
import { entryKey, scopeRange } from './index-keys.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export async function addApiKeyEntry(c: Collections, accountId: string, keyId: string): Promise<void> {
  try {
    await c.apiKeyEntries.insertOne({ _id: entryKey('k', accountId, keyId), ref: keyId });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

/** The account's keys in id order (ids are ULIDs: creation order). */
export async function accountApiKeys(c: Collections, accountId: string): Promise<ApiKeyDoc[]> {
  const entries = await readEntries(c.apiKeyEntries, { range: scopeRange(['k', accountId]), ascending: true, limit: 0 });
  const keys = await byIds(
    c.apiKeys,
    entries.map((e) => e.ref),
  );
  return keys.filter((k): k is ApiKeyDoc => k !== null && k.account_id === accountId);
}
