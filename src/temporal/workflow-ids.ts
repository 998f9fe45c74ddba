// Deterministic workflow ids: starting the same thing twice is impossible by construction.

export function deliveryWorkflowId(webhookId: string, eventId: string): string {
  return `delivery:${webhookId}:${eventId}`;
}

export function healthWorkflowId(webhookId: string): string {
  return `webhook-health:${webhookId}`;
}

export function fanOutWorkflowId(accountId: string, eventId: string): string {
  return `fan-out:${accountId}:${eventId}`;
}

export function recoverWorkflowId(accountId: string, recoveryId: string): string {
  return `recover:${accountId}:${recoveryId}`;
}

/**
 * Schedules are per task queue: every Herald deployment (and every test file, which has its own task
 * queue and database on a shared server) maintains its own store. Temporal appends the fire time to the
 * workflow id of each run.
 */
export function reconcilerScheduleId(taskQueue: string): string {
  return `reconciler:${taskQueue}`;
}

export function retentionScheduleId(taskQueue: string): string {
  return `retention:${taskQueue}`;
}
