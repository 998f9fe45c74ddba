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
