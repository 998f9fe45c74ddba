import { z } from 'zod';
import { CreateAccountApiKeyInput, CreateAccountInput } from '../schemas.js';
import { adminProcedure, notFound, router } from '../trpc.js';
import { AccountView, ApiKeyView, accountView, apiKeyView } from '../views.js';

export const accountsRouter = router({
  /** Admin only. The API key is shown once; only its hash is stored. */
  create: adminProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/accounts', summary: 'Create an account (admin key)', tags: ['accounts'] } })
    .input(CreateAccountInput)
    .output(z.object({ account: AccountView, api_key: z.string().describe('The account’s first API key. Shown here only.') }))
    .mutation(async ({ ctx, input }) => {
      const { account, apiKey } = await ctx.deps.store.accounts.create(input.name);
      return { account: accountView(account), api_key: apiKey };
    }),

  /** Admin only: a new key for an account, the way back in for one left without a usable key. Shown once. */
  create_api_key: adminProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/v1/accounts/{account_id}/api-keys',
        summary: 'Create an API key for an account (admin key)',
        tags: ['accounts'],
      },
    })
    .input(CreateAccountApiKeyInput)
    .output(ApiKeyView.extend({ api_key: z.string().describe('The key itself (hk_…). Shown here only.') }))
    .mutation(async ({ ctx, input }) => {
      const { accounts } = ctx.deps.store;
      if (!(await accounts.get(input.account_id))) throw notFound('account');
      const { apiKey, key } = await accounts.createApiKey(input.account_id, input.name);
      return { ...apiKeyView(key), api_key: apiKey };
    }),
});
