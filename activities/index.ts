// createActivities(deps): activities get their dependencies injected (store, HTTP sender, config, the
// Temporal client for starts and resets), so the worker and the tests build them the same way.
import type { DispatchDeps } from '../src/temporal/dispatch.js';
import { type AttemptDeps, createAttemptDelivery } from './attempt-delivery.js';
import { createExpireParkedDelivery } from './delivery-health.js';
import { createFanOutAttemptPage, createFanOutStartPage } from './fan-out.js';
import { createDispatchStranded } from './reconcile.js';
import { createRecoverPage } from './recover.js';
import { createPurgeExpired } from './retention.js';
import { createWebhookHealthActivities, type WebhookHealthDeps } from './webhook-health.js';

export type ActivityDeps = AttemptDeps &
  WebhookHealthDeps & {
    /** Starting and resetting workflows from activities (fan-out, reconciler, recover). */
    dispatch: DispatchDeps;
  };

export function createActivities(deps: ActivityDeps) {
  return {
    attemptDelivery: createAttemptDelivery(deps),
    fanOutAttemptPage: createFanOutAttemptPage(deps, deps.dispatch.fanOutPreAttempts !== false),
    fanOutStartPage: createFanOutStartPage(deps.dispatch),
    dispatchStranded: createDispatchStranded(deps.dispatch),
    purgeExpired: createPurgeExpired(deps.store),
    recoverPage: createRecoverPage(deps.dispatch),
    expireParkedDelivery: createExpireParkedDelivery(deps.store, deps.metrics),
    ...createWebhookHealthActivities(deps),
  };
}
