import { z } from 'zod';
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
      const { accounts } = ctx.deps.store;
      const key = await accounts.getApiKey(ctx.accountId, input.api_key_id);
      if (!key) throw notFound('API key');
      if (key.revoked_at === null && (await accounts.countActiveApiKeys(ctx.accountId)) <= 1) {
        throw reasonError('CONFLICT', 'last_api_key', 'This is the account’s last active API key; create another one before revoking it.');
      }
      const revoked = await accounts.revokeApiKey(ctx.accountId, input.api_key_id);
      if (!revoked) throw notFound('API key');
      return apiKeyView(revoked);
    }),
});
