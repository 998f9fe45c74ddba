// What happens to a webhook's workflows when the API creates, enables, disables or deletes it, and
// when an attempt reports an outcome. The API and the activities call only this; the per-webhook
// health workflow that owns the status stays behind it.
//
// Every message to the health workflow can also start it (signal-with-start, update-with-start): a
// webhook created before health workflows existed, or whose workflow was terminated, gets one on the
// first message, loaded from MongoDB.
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  type WorkflowStartOptions,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { deletedSignal, disableUpdate, enableUpdate, healthQuery, reportSignal } from '../../workflows/messages.js';
import type { webhookHealthWorkflow } from '../../workflows/webhook-health.js';
import type { HealthInput, HealthReport, HealthView } from '../domain/health.js';
import type { WebhookDoc } from '../store/documents.js';
import type { Store } from '../store/index.js';
import { AccountId, WebhookId } from './search-attributes.js';
import { healthWorkflowId } from './workflow-ids.js';

export interface WebhookLifecycle {
  /** Starts the webhook's health workflow. */
  created(webhook: WebhookDoc): Promise<void>;
  /** Active again, failure count reset, parked deliveries released in the order of their events. */
  enable(accountId: string, webhookId: string): Promise<{ webhook: WebhookDoc; resumed_deliveries: number } | null>;
  /** Parks every delivery from now on, until enabled. */
  disable(accountId: string, webhookId: string): Promise<WebhookDoc | null>;
  /** Deletes the webhook, ends its health workflow and cancels its parked deliveries. */
  delete(accountId: string, webhookId: string): Promise<WebhookDoc | null>;
  /** The health workflow's own view (its `health` query). */
  health(accountId: string, webhookId: string): Promise<HealthView | null>;
  /** From the attempt activity: a failure, a 410, or the first success after failures. */
  report(webhook: Pick<WebhookDoc, '_id' | 'account_id'>, report: HealthReport): Promise<void>;
}

export interface LifecycleDeps {
  store: Store;
  client: Client;
  taskQueue: string;
  /** HERALD_HEALTH_HISTORY_EVENTS: a health workflow run continues as new after this many events. */
  historyMaxEvents: number;
  /** Set when a worker shares this process's connection. */
  eagerStart?: boolean;
}

export function createWebhookLifecycle({
  store,
  client,
  taskQueue,
  historyMaxEvents,
  eagerStart = false,
}: LifecycleDeps): WebhookLifecycle {
  const startOptions = (webhook: Pick<WebhookDoc, '_id' | 'account_id'>) =>
    ({
      workflowId: healthWorkflowId(webhook._id),
      taskQueue,
      args: [{ webhookId: webhook._id, accountId: webhook.account_id, historyMaxEvents }] as [HealthInput],
      // A message for a running health workflow goes to it; only a missing one is started.
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `health of ${webhook._id}`,
      typedSearchAttributes: [
        { key: WebhookId, value: webhook._id },
        { key: AccountId, value: webhook.account_id },
      ],
    }) satisfies WorkflowStartOptions<typeof webhookHealthWorkflow>;

  /** The update's result, or null when the webhook was deleted while it ran. */
  async function updateHealth<R>(webhook: WebhookDoc, update: UpdateDefinition<R, []>): Promise<R | null> {
    try {
      return await client.workflow.executeUpdateWithStart(update, {
        startWorkflowOperation: new WithStartWorkflowOperation<typeof webhookHealthWorkflow>(
          'webhookHealthWorkflow',
          startOptions(webhook),
        ),
      });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && (error.cause as { type?: string } | undefined)?.type === 'WebhookDeleted')
        return null;
      throw error;
    }
  }

  return {
    async created(webhook) {
      await client.workflow.start<typeof webhookHealthWorkflow>('webhookHealthWorkflow', {
        ...startOptions(webhook),
        requestEagerStart: eagerStart,
      });
    },

    async enable(accountId, webhookId) {
      const webhook = await store.webhooks.get(accountId, webhookId);
      if (!webhook) return null;
      const reply = await updateHealth(webhook, enableUpdate);
      const updated = reply && (await store.webhooks.get(accountId, webhookId));
      return reply && updated ? { webhook: updated, resumed_deliveries: reply.resumed_deliveries } : null;
    },

    async disable(accountId, webhookId) {
      const webhook = await store.webhooks.get(accountId, webhookId);
      if (!webhook) return null;
      if (!(await updateHealth(webhook, disableUpdate))) return null;
      return store.webhooks.get(accountId, webhookId);
    },

    async delete(accountId, webhookId) {
      // The document (and its statistics) go first: parked deliveries woken afterwards find no webhook
      // and end cancelled, without a request. (The other way round they would be sent.)
      const webhook = await store.webhooks.delete(accountId, webhookId);
      if (!webhook) return null;
      await client.workflow.signalWithStart<typeof webhookHealthWorkflow, []>('webhookHealthWorkflow', {
        ...startOptions(webhook),
        signal: deletedSignal,
      });
      return webhook;
    },

    async health(accountId, webhookId) {
      const webhook = await store.webhooks.get(accountId, webhookId);
      if (!webhook) return null;
      try {
        return await client.workflow.getHandle(healthWorkflowId(webhookId)).query(healthQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },

    async report(webhook, report) {
      await client.workflow.signalWithStart<typeof webhookHealthWorkflow, [HealthReport]>('webhookHealthWorkflow', {
        ...startOptions(webhook),
        signal: reportSignal,
        signalArgs: [report],
      });
    },
  };
}
