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

/** The event catalogue's version lives beside the accounts' (catalogue-version.ts), under an id no account can have. */
export const CATALOGUE_VERSION_ID = 'event_catalogue';

/** An account's version and the catalogue's, read together. */
export interface Versions {
  version: AccountVersion;
  /** null: no type was ever added at run time. */
  catalogue: string | null;
}

export function createAccountVersions(c: Collections) {
  return {
    async read(accountId: string): Promise<AccountVersion> {
      return (await c.webhookVersions.findOne({ _id: accountId }))?.version ?? null;
    },

    /**
     * The account's version and the catalogue's in one round trip (`_id: {$in: …}`, which MongoDB and
     * Herald's FerretDB build answer from the `_id` index): every request authenticates with it, so a
     * publish knows whether its copy of the catalogue is current without another read.
     */
    async readWithCatalogue(accountId: string): Promise<Versions> {
      const docs = await c.webhookVersions.find({ _id: { $in: [accountId, CATALOGUE_VERSION_ID] } }).toArray();
      const versionOf = (id: string) => docs.find((d) => d._id === id)?.version ?? null;
      return { version: versionOf(accountId), catalogue: versionOf(CATALOGUE_VERSION_ID) };
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
