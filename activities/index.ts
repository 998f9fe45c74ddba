// createActivities(deps): activities get their dependencies injected (store, HTTP sender, config), so
// the worker and the tests build them the same way.
import { type AttemptDeps, createAttemptDelivery } from './attempt-delivery.js';
import { createExpireParkedDelivery } from './delivery-health.js';
import { createWebhookHealthActivities, type WebhookHealthDeps } from './webhook-health.js';

export type ActivityDeps = AttemptDeps & WebhookHealthDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    attemptDelivery: createAttemptDelivery(deps),
    expireParkedDelivery: createExpireParkedDelivery(deps.store),
    ...createWebhookHealthActivities(deps),
  };
}
