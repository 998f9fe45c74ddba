import { accountsRouter } from './routers/accounts.js';
import { deliveriesRouter } from './routers/deliveries.js';
import { eventsRouter } from './routers/events.js';
import { webhooksRouter } from './routers/webhooks.js';
import { router } from './trpc.js';

export const appRouter = router({
  accounts: accountsRouter,
  webhooks: webhooksRouter,
  events: eventsRouter,
  deliveries: deliveriesRouter,
});

export type AppRouter = typeof appRouter;
