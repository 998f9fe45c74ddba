import { accountsRouter } from './routers/accounts.js';
import { apiKeysRouter } from './routers/api-keys.js';
import { deliveriesRouter } from './routers/deliveries.js';
import { eventTypesRouter } from './routers/event-types.js';
import { eventsRouter } from './routers/events.js';
import { listenRouter } from './routers/listen.js';
import { portalRouter } from './routers/portal.js';
import { producerKeysRouter } from './routers/producer-keys.js';
import { webhooksRouter } from './routers/webhooks.js';
import { router } from './trpc.js';

export const appRouter = router({
  accounts: accountsRouter,
  api_keys: apiKeysRouter,
  webhooks: webhooksRouter,
  event_types: eventTypesRouter,
  events: eventsRouter,
  deliveries: deliveriesRouter,
  producer_keys: producerKeysRouter,
  portal: portalRouter,
  listen: listenRouter,
});

export type AppRouter = typeof appRouter;
