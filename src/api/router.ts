import { accountsRouter } from './routers/accounts.js';
import { eventsRouter } from './routers/events.js';
import { webhooksRouter } from './routers/webhooks.js';
import { router } from './trpc.js';

export const appRouter = router({
  accounts: accountsRouter,
  webhooks: webhooksRouter,
  events: eventsRouter,
});

export type AppRouter = typeof appRouter;
