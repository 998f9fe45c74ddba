// Turns a stored event into delivery workflows: one per matching webhook, with deterministic ids, so a
// retried publish or a reconciler pass never starts anything twice.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { DeliveryInput } from '../domain/delivery.js';
import { isAccountLevel } from '../domain/event-catalogue.js';
import { deliveryId } from '../domain/ids.js';
import type { DeliveryDoc, EventDoc, WebhookDoc } from '../store/documents.js';
import type { Store } from '../store/index.js';
import { AccountId, DeliveryStatus, EventType, InboxId, WebhookId } from './search-attributes.js';
import { deliveryWorkflowId } from './workflow-ids.js';

export interface DispatchDeps {
  store: Store;
  client: Client;
  taskQueue: string;
  /** Set when a worker shares this process's connection: the server hands the first task straight back. */
  eagerStart: boolean;
}

export function deliveryRecord(event: EventDoc, webhook: Pick<WebhookDoc, '_id'>, now: Date): DeliveryDoc {
  return {
    _id: deliveryId(webhook._id, event.id),
    account_id: event.account_id,
    webhook_id: webhook._id,
    event_id: event.id,
    event_type: event.type,
    event_created_at: event.created_at,
    status: 'pending',
    attempts: [],
    next_attempt_at: null,
    workflow_id: deliveryWorkflowId(webhook._id, event.id),
    created_at: now,
    updated_at: now,
  };
}

export async function startDelivery(deps: DispatchDeps, event: EventDoc, webhook: Pick<WebhookDoc, '_id' | 'url'>): Promise<void> {
  const input: DeliveryInput = {
    deliveryId: deliveryId(webhook._id, event.id),
    webhookId: webhook._id,
    accountId: event.account_id,
    eventId: event.id,
  };
  try {
    await deps.client.workflow.start('deliveryWorkflow', {
      workflowId: deliveryWorkflowId(webhook._id, event.id),
      taskQueue: deps.taskQueue,
      args: [input],
      // A completed delivery must not run again because its event was published twice; replay is a reset.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      requestEagerStart: deps.eagerStart,
      staticSummary: `POST ${new URL(webhook.url).host} ${event.type}`,
      typedSearchAttributes: [
        { key: WebhookId, value: webhook._id },
        { key: EventType, value: event.type },
        { key: AccountId, value: event.account_id },
        { key: DeliveryStatus, value: 'pending' },
        ...(event.inbox_id ? [{ key: InboxId, value: event.inbox_id }] : []),
      ],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/**
 * Finds the matching webhooks, records a pending delivery for each, starts their workflows, and marks
 * the event dispatched. Resolves only after Temporal accepted every start: an acknowledged event is
 * never lost. Safe to call again for the same event.
 */
export async function dispatchEvent(deps: DispatchDeps, event: EventDoc, now = new Date()): Promise<number> {
  const webhooks = await deps.store.webhooks.matching(event, isAccountLevel(event.type)).toArray();
  await deps.store.deliveries.insertMany(webhooks.map((webhook) => deliveryRecord(event, webhook, now)));
  await Promise.all(webhooks.map((webhook) => startDelivery(deps, event, webhook)));
  await deps.store.events.markDispatched(event.account_id, event.id, now);
  return webhooks.length;
}
