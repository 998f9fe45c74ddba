// Replay = reset the delivery workflow to its first workflow task, what
// `temporal workflow reset --type FirstWorkflowTask` does: the new run starts the retry schedule again,
// the old run's history stays in Temporal and the earlier attempts stay in the delivery record.
import { randomUUID } from 'node:crypto';
import { isGrpcServiceError } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { DeliveryDoc } from '../store/documents.js';
import { type DispatchDeps, startDelivery } from './dispatch.js';

const { EventType } = proto.temporal.api.enums.v1;
const GRPC_NOT_FOUND = 5;

export type ReplayResult =
  | { ok: true; runId: string }
  /** The workflow has not completed its first task yet (it was just started): nothing to reset to. */
  | { ok: false; error: 'not_started' }
  /** Temporal no longer keeps the workflow and the event or webhook is gone too: nothing to deliver. */
  | { ok: false; error: 'gone' };

type EventId = NonNullable<proto.temporal.api.history.v1.IHistoryEvent['eventId']>;

/** The first WorkflowTaskCompleted of the latest run; null when Temporal no longer has the workflow. */
async function firstWorkflowTaskCompleted(deps: DispatchDeps, workflowId: string): Promise<EventId | null | 'none'> {
  const namespace = deps.client.options.namespace;
  let nextPageToken: Uint8Array | undefined;
  try {
    do {
      const page = await deps.client.workflowService.getWorkflowExecutionHistory({
        namespace,
        execution: { workflowId },
        maximumPageSize: 50,
        nextPageToken,
      });
      const found = page.history?.events?.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      if (found?.eventId) return found.eventId;
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return 'none';
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND) return null;
    throw error;
  }
}

export async function replayDelivery(deps: DispatchDeps, delivery: DeliveryDoc, reason: string): Promise<ReplayResult> {
  const finishEventId = await firstWorkflowTaskCompleted(deps, delivery.workflow_id);
  if (finishEventId === 'none') return { ok: false, error: 'not_started' };

  // Pending before the new run's first attempt can record anything; restored if the replay fails.
  await deps.store.deliveries.setStatus(delivery._id, 'pending', null, delivery);
  try {
    if (finishEventId !== null) {
      const { runId } = await deps.client.workflowService.resetWorkflowExecution({
        namespace: deps.client.options.namespace,
        workflowExecution: { workflowId: delivery.workflow_id },
        workflowTaskFinishEventId: finishEventId,
        requestId: randomUUID(),
        reason,
      });
      return { ok: true, runId: runId ?? '' };
    }
    // Past the namespace's retention Temporal has forgotten the workflow: start it afresh, same id.
    const [event, webhook] = await Promise.all([
      deps.store.events.get(delivery.account_id, delivery.event_id),
      deps.store.webhooks.byId(delivery.webhook_id),
    ]);
    if (!event || !webhook) {
      await deps.store.deliveries.setStatus(delivery._id, delivery.status, delivery.next_attempt_at);
      return { ok: false, error: 'gone' };
    }
    const runId = await startDelivery(deps, event, webhook, 'ALLOW_DUPLICATE');
    if (runId) return { ok: true, runId };
    // Started meanwhile by another replay: report the run that is there.
    return { ok: true, runId: (await deps.client.workflow.getHandle(delivery.workflow_id).describe()).runId };
  } catch (error) {
    await deps.store.deliveries.setStatus(delivery._id, delivery.status, delivery.next_attempt_at);
    throw error;
  }
}
