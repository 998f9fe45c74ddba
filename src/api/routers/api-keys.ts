import { z } from 'zod';
import { ConcurrentWriteError } from '../../store/versioned-write.js';
import { ApiKeyIdInput, CreateApiKeyInput } from '../schemas.js';
import { accountProcedure, notFound, reasonError, router } from '../trpc.js';
import { ApiKeyView, apiKeyView } from '../views.js';

const tags = ['api keys'];

export const apiKeysRouter = router({
  /** The key is shown once; only its hash is stored. */
  create: accountProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/api-keys', summary: 'Create an API key', tags } })
    .input(CreateApiKeyInput)
    .output(ApiKeyView.extend({ api_key: z.string().describe('The key itself (hk_…). Shown here only.') }))
    .mutation(async ({ ctx, input }) => {
      const { apiKey, key } = await ctx.deps.store.accounts.createApiKey(ctx.accountId, input.name);
      return { ...apiKeyView(key), api_key: apiKey };
    }),

  list: accountProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/api-keys', summary: 'List API keys', tags } })
    .output(z.object({ count: z.number().int(), api_keys: z.array(ApiKeyView) }))
    .query(async ({ ctx }) => {
      const keys = await ctx.deps.store.accounts.listApiKeys(ctx.accountId);
      return { count: keys.length, api_keys: keys.map(apiKeyView) };
    }),

  /** Immediate: the next request with the key is refused. The account's last active key cannot be revoked. */
  revoke: accountProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/api-keys/{api_key_id}', summary: 'Revoke an API key', tags } })
    .input(ApiKeyIdInput)
    .output(ApiKeyView)
    .mutation(async ({ ctx, input }) => {
      // Revocations of one account take turns (api-key-revocation.ts): two at once cannot both pass the check.
      const outcome = await ctx.deps.store.apiKeyRevocation.revokeUnlessLast(ctx.accountId, input.api_key_id).catch((error: unknown) => {
        if (error instanceof ConcurrentWriteError) {
          throw reasonError(
            'CONFLICT',
            'concurrent_update',
            'The account’s API keys kept changing while this revocation waited; try again.',
          );
        }
        throw error;
      });
      if (outcome.ok) return apiKeyView(outcome.key);
      if (outcome.error === 'not_found') throw notFound('API key');
      throw reasonError('CONFLICT', 'last_api_key', 'This is the account’s last active API key; create another one before revoking it.');
    }),
});
