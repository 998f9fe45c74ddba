// An account's `external_id` (the platform's own id for it): unique, set at creation, and a producer
// may name the account by it. FerretDB enforces nothing atomically but a unique `_id`, and looks up
// nothing but `_id` without scanning, so the id is claimed, and later found, as the `_id` of a document
// of `account_external_ids` written before the account itself.
import type { AccountDoc, AccountExternalIdDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

/** `external_id` belongs to another account already (`accountId`). */
export class ExternalIdTakenError extends Error {
  constructor(
    readonly externalId: string,
    readonly accountId: string,
  ) {
    super(`external_id ${externalId} belongs to account ${accountId}`);
    this.name = 'ExternalIdTakenError';
  }
}

/** Inserts the account; one that exists already (completed by a claimant, see `claim`) is fine. */
export async function insertAccountOnce(c: Collections, account: AccountDoc): Promise<void> {
  try {
    await c.accounts.insertOne(account);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

function accountOf(claim: AccountExternalIdDoc): AccountDoc {
  return { _id: claim.account_id, name: claim.name, external_id: claim._id, created_at: claim.created_at };
}

export function createAccountExternalIds(c: Collections, { maxKept = 100_000 }: { maxKept?: number } = {}) {
  // external id → account id: a claim never changes or goes away, so this copy never goes stale.
  const known = new Map<string, string>();

  return {
    /**
     * Claims the account's external id; throws ExternalIdTakenError when another account has it. A
     * create that died between its claim and its account left the claim alone: the next claimant
     * inserts that account from the claim (every claimant writes the same document), so the id always
     * names an account. Its first API key was never shown: the operator makes the account another.
     */
    async claim(account: AccountDoc & { external_id: string }): Promise<void> {
      const claim: AccountExternalIdDoc = {
        _id: account.external_id,
        account_id: account._id,
        name: account.name,
        created_at: account.created_at,
      };
      try {
        await c.accountExternalIds.insertOne(claim);
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const holder = await c.accountExternalIds.findOne({ _id: account.external_id });
      if (!holder) throw new Error(`the claim of external_id ${account.external_id} vanished`);
      await insertAccountOnce(c, accountOf(holder));
      throw new ExternalIdTakenError(account.external_id, holder.account_id);
    },

    /** The id of the account with this external id, or null. One read by `_id` the first time, none after. */
    async resolve(externalId: string): Promise<string | null> {
      const copy = known.get(externalId);
      if (copy) return copy;
      const claim = await c.accountExternalIds.findOne({ _id: externalId });
      if (!claim) return null;
      known.set(externalId, claim.account_id);
      if (known.size > maxKept) known.delete(known.keys().next().value as string);
      return claim.account_id;
    },
  };
}

export type AccountExternalIds = ReturnType<typeof createAccountExternalIds>;
