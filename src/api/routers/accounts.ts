import { z } from 'zod';
import { idPattern } from '../../domain/ids.js';
import { ExternalIdTakenError } from '../../store/account-external-ids.js';
import { decodePageToken, encodePageToken } from '../page-token.js';
import { AccountIdInput, CreateAccountApiKeyInput, CreateAccountInput, ListAccountsInput } from '../schemas.js';
import { adminProcedure, notFound, reasonError, router } from '../trpc.js';
import { AccountPageView, AccountView, ApiKeyView, accountView, apiKeyView } from '../views.js';

export const accountsRouter = router({
  /** Admin only. The API key is shown once; only its hash is stored. */
  create: adminProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/accounts', summary: 'Create an account (admin key)', tags: ['accounts'] } })
    .input(CreateAccountInput)
    .output(z.object({ account: AccountView, api_key: z.string().describe('The account’s first API key. Shown here only.') }))
    .mutation(async ({ ctx, input }) => {
      try {
        const { account, apiKey } = await ctx.deps.store.accounts.create(input.name, new Date(), input.external_id);
        return { account: accountView(account), api_key: apiKey };
      } catch (error) {
        if (!(error instanceof ExternalIdTakenError)) throw error;
        throw reasonError('CONFLICT', 'external_id_taken', `external_id is taken: account ${error.accountId} has it.`);
      }
    }),

  /** Admin only. Cursor pages, newest first unless `ascending`. */
  list: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/accounts', summary: 'List accounts (admin key)', tags: ['accounts'] } })
    .input(ListAccountsInput)
    .output(AccountPageView)
    .query(async ({ ctx, input }) => {
      const { accounts, next } = await ctx.deps.store.accounts.list({
        limit: input.limit,
        after: input.page_token ? decodePageToken(input.page_token, idPattern('acc')) : undefined,
        ascending: input.ascending,
      });
      return { limit: input.limit, next_page_token: next ? encodePageToken(next) : null, accounts: accounts.map(accountView) };
    }),

  /** Admin only. */
  get: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/accounts/{account_id}', summary: 'Get an account (admin key)', tags: ['accounts'] } })
    .input(AccountIdInput)
    .output(AccountView)
    .query(async ({ ctx, input }) => {
      const account = await ctx.deps.store.accounts.get(input.account_id);
      if (!account) throw notFound('account');
      return accountView(account);
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
