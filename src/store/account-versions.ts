// An account's version: a random value set anew after every change of its webhooks or API keys. Each
// process keeps copies of what it reads on every request (the account's subscriptions, the keys it has
// authenticated) and checks them against the version: one read by `_id` instead of the lookups they
// save, and a request that reads it once for its key serves its publish's matching from the same read.
//
// Stored in `webhook_versions` (its name from before keys moved it too). Every writer sets a new random
// value, so two changes racing (FerretDB applies updates as read-modify-write) still leave one that no
// copy has seen.
import { randomUUID } from 'node:crypto';
import { type Collections, isDuplicateKey } from './mongo.js';

/** null: the account never changed since versions exist (or has no webhooks and keys yet). */
export type AccountVersion = string | null;

export function createAccountVersions(c: Collections) {
  return {
    async read(accountId: string): Promise<AccountVersion> {
      return (await c.webhookVersions.findOne({ _id: accountId }))?.version ?? null;
    },

    /** After a change is written: every process reads what it copied of the account again. */
    async touch(accountId: string): Promise<void> {
      const update = { $set: { version: randomUUID(), updated_at: new Date() } };
      try {
        await c.webhookVersions.updateOne({ _id: accountId }, update, { upsert: true });
      } catch (error) {
        // Two first writes raced to create it (FerretDB's upsert is not atomic): the second updates it.
        if (!isDuplicateKey(error)) throw error;
        await c.webhookVersions.updateOne({ _id: accountId }, update);
      }
    },
  };
}

export type AccountVersions = ReturnType<typeof createAccountVersions>;
