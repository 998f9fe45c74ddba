// Bulk recover: one workflow per request replays a webhook's failed deliveries in a window and answers
// a query with its progress. Its id carries the account, so another account's recovery is not found.
import { WorkflowNotFoundError } from '@temporalio/client';
import { type RecoverStatus, recoverStatusQuery, type recoverWorkflow } from '../../workflows/recover.js';
import { newId } from '../domain/ids.js';
import type { WebhookDoc } from '../store/documents.js';
import type { DispatchDeps } from './dispatch.js';
import { AccountId, WebhookId } from './search-attributes.js';
import { recoverWorkflowId } from './workflow-ids.js';

export interface RecoverRequest {
  webhook: Pick<WebhookDoc, '_id' | 'account_id'>;
  since: Date;
  until: Date;
  /** HERALD_RECOVER_MAX. */
  max: number;
}

export async function startRecover(deps: DispatchDeps, { webhook, since, until, max }: RecoverRequest) {
  const failed = await deps.store.deliveries.countFailed({ webhookId: webhook._id, since, until });
  const total = Math.min(failed, max);
  const recoveryId = newId('rcv');
  await deps.client.workflow.start<typeof recoverWorkflow>('recoverWorkflow', {
    workflowId: recoverWorkflowId(webhook.account_id, recoveryId),
    taskQueue: deps.taskQueue,
    args: [
      { webhookId: webhook._id, since: since.getTime(), until: until.getTime(), progress: { total, done: 0, failed: 0 }, after: null },
    ],
    requestEagerStart: deps.eagerStart,
    staticSummary: `recover ${total} failed deliveries of ${webhook._id}`,
    typedSearchAttributes: [
      { key: WebhookId, value: webhook._id },
      { key: AccountId, value: webhook.account_id },
    ],
  });
  return { recoveryId, total };
}

/** The recovery's progress, or null when the account has no such recovery (or Temporal forgot it). */
export async function recoverStatus(deps: DispatchDeps, accountId: string, recoveryId: string): Promise<RecoverStatus | null> {
  try {
    return await deps.client.workflow.getHandle(recoverWorkflowId(accountId, recoveryId)).query(recoverStatusQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
