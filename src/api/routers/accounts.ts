import { z } from 'zod';
import { CreateAccountInput } from '../schemas.js';
import { adminProcedure, router } from '../trpc.js';
import { AccountView, accountView } from '../views.js';

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
});
