// "The account's last active API key cannot be revoked", under any concurrency. Counting the active
// keys and then revoking one lets two revocations of an account's last two keys (each revoking the
// other) both see two and both revoke, leaving none. FerretDB has no transactions and does not re-check
// an update's filter (versioned-write.ts), so revocations of one account take turns instead: each one
// claims the account's guard document at its current version (a unique insert) and moves the version
// on when it is done, so each counts what the one before it left.
//
// A revocation that dies holding the claim blocks the account's revocations until the claim's lease
// runs out (30 s); one that dies half-way leaves the key unusable but listed as active, as before.
// Creating keys does not take turns: another key only makes a revocation safer.
import type { AccountsRepo } from './accounts-repo.js';
import type { ApiKeyDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';
import { underVersionClaim } from './versioned-write.js';

export type RevokeOutcome = { ok: true; key: ApiKeyDoc } | { ok: false; error: 'not_found' | 'last_api_key' };

export function createApiKeyRevocation(c: Collections, accounts: AccountsRepo) {
  const guard = { docs: c.apiKeyGuards, claims: c.writeClaims, scope: 'api_key_guards' };

  return {
    /** Revokes the key unless it is the account's last active one. Revoking twice keeps the first time. */
    async revokeUnlessLast(accountId: string, keyId: string): Promise<RevokeOutcome> {
      const key = await accounts.getApiKey(accountId, keyId);
      if (!key) return { ok: false, error: 'not_found' };
      if (key.revoked_at !== null) return { ok: true, key };
      try {
        await c.apiKeyGuards.insertOne({ _id: accountId, updated_at: new Date(0) });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const outcome = await underVersionClaim(guard, accountId, async (): Promise<RevokeOutcome> => {
        // Read again in turn: the revocation before this one may have revoked it, or the other keys.
        const now = await accounts.getApiKey(accountId, keyId);
        if (!now) return { ok: false, error: 'not_found' };
        if (now.revoked_at !== null) return { ok: true, key: now };
        if ((await accounts.countActiveApiKeys(accountId)) <= 1) return { ok: false, error: 'last_api_key' };
        const revoked = await accounts.revokeApiKey(accountId, keyId);
        return revoked ? { ok: true, key: revoked } : { ok: false, error: 'not_found' };
      });
      return outcome ?? { ok: false, error: 'not_found' };
    },
  };
}

export type ApiKeyRevocation = ReturnType<typeof createApiKeyRevocation>;
