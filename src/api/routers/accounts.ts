import { CreateAccountInput } from '../schemas.js';
import { adminProcedure, router } from '../trpc.js';
import { accountView } from '../views.js';

export const accountsRouter = router({
  /** Admin only. The API key is shown once; only its hash is stored. */
  create: adminProcedure.input(CreateAccountInput).mutation(async ({ ctx, input }) => {
    const { account, apiKey } = await ctx.deps.store.accounts.create(input.name);
    return { account: accountView(account), api_key: apiKey };
  }),
});
