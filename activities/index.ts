// createActivities(deps): activities get their dependencies injected (store, HTTP sender, config), so
// the worker and the tests build them the same way.
import { type AttemptDeps, createAttemptDelivery } from './attempt-delivery.js';

export type ActivityDeps = AttemptDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    attemptDelivery: createAttemptDelivery(deps),
  };
}
