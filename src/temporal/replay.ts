// Replay = reset the delivery workflow to its first workflow task, what
// `temporal workflow reset --type FirstWorkflowTask` does: the new run starts the retry schedule again,
// the old run's history stays in Temporal and the earlier attempts stay in the delivery record.
//
// Concurrent replays of one delivery (an impatient client, a bulk recover meanwhile) make one new run:
// each pins the run it found closed, and exactly one wins the insert of a claim on that run (a unique
// `_id`) and resets it; the others wait for the new run and report it (`in_progress`). A winner that
// dies before resetting is taken over after WINNER_WAIT_MS; the reset's `requestId` is derived from the
// pinned run, so if the winner was only slow, Temporal collapses both resets into one run.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { DeliveryDoc, DeliveryStatus } from '../store/documents.js';
import { type DispatchDeps, startDelivery } from './dispatch.js';

const { EventType } = proto.temporal.api.enums.v1;
const GRPC_NOT_FOUND = 5;
/** How long a losing replay waits for the winner's new run before it resets the run itself. */
const WINNER_WAIT_MS = 10_000;
const WINNER_POLL_MS = 100;

/** Statuses whose workflow has ended. */
const FINISHED = new Set<DeliveryStatus>(['succeeded', 'failed', 'cancelled']);

export type ReplayResult =
  | { ok: true; runId: string }
  /**
   * The delivery is being worked on: its run is still going (its own schedule, or another replay's new
   * run, `runId`), or it has not been started yet (`runId` null).
   */
  | { ok: false; error: 'in_progress'; runId: string | null }
  /** The workflow has not completed its first task yet (it was just started): nothing to reset to. */
  | { ok: false; error: 'not_started' }
  /** Temporal no longer keeps the workflow and the event or webhook is gone too: nothing to deliver. */
  | { ok: false; error: 'gone' };

type EventId = NonNullable<proto.temporal.api.history.v1.IHistoryEvent['eventId']>;

/** The same for every replay of one run: Temporal makes one new run for resets with one request id. */
export function replayRequestId(runId: string): string {
  const h = createHash('sha256').update(`herald-replay:${runId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The workflow's current run; null when Temporal no longer has the workflow. */
async function currentRun(deps: DispatchDeps, workflowId: string): Promise<{ runId: string; running: boolean } | null> {
  try {
    const description = await deps.client.workflow.getHandle(workflowId).describe();
    return { runId: description.runId, running: description.status.name === 'RUNNING' };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/** The run's first WorkflowTaskCompleted; null when Temporal no longer has it, 'none' before it exists. */
async function firstWorkflowTaskCompleted(deps: DispatchDeps, workflowId: string, runId: string): Promise<EventId | null | 'none'> {
  const namespace = deps.client.options.namespace;
  let nextPageToken: Uint8Array | undefined;
  try {
    do {
      const page = await deps.client.workflowService.getWorkflowExecutionHistory({
        namespace,
        execution: { workflowId, runId },
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

/** Resets the pinned run (pending first; the status restored if the reset fails). */
async function reset(deps: DispatchDeps, delivery: DeliveryDoc, runId: string, finishEventId: EventId, reason: string): Promise<string> {
  // Pending before the new run's first attempt can record anything.
  await deps.store.deliveries.setStatus(delivery._id, 'pending', null, delivery);
  try {
    const response = await deps.client.workflowService.resetWorkflowExecution({
      namespace: deps.client.options.namespace,
      workflowExecution: { workflowId: delivery.workflow_id, runId },
      workflowTaskFinishEventId: finishEventId,
      requestId: replayRequestId(runId),
      reason,
    });
    return response.runId ?? '';
  } catch (error) {
    await deps.store.deliveries.setStatus(delivery._id, delivery.status, delivery.next_attempt_at);
    throw error;
  }
}

export async function replayDelivery(deps: DispatchDeps, delivery: DeliveryDoc, reason: string): Promise<ReplayResult> {
  const run = await currentRun(deps, delivery.workflow_id);
  if (run?.running) return { ok: false, error: 'in_progress', runId: run.runId };
  if (run === null) return restart(deps, delivery);

  const finishEventId = await firstWorkflowTaskCompleted(deps, delivery.workflow_id, run.runId);
  if (finishEventId === 'none') return { ok: false, error: 'not_started' };
  if (finishEventId === null) return restart(deps, delivery);

  const claims = deps.store.replayClaims;
  const deadline = Date.now() + WINNER_WAIT_MS;
  for (;;) {
    if (await claims.claim(delivery._id, run.runId)) {
      try {
        return { ok: true, runId: await reset(deps, delivery, run.runId, finishEventId, reason) };
      } catch (error) {
        await claims.release(delivery._id, run.runId);
        throw error;
      }
    }
    // Another replay of this run won: report its new run once it is there.
    const now = await currentRun(deps, delivery.workflow_id);
    if (now && now.runId !== run.runId) return { ok: false, error: 'in_progress', runId: now.runId };
    if (Date.now() >= deadline) break;
    await sleep(WINNER_POLL_MS);
  }
  // The winner died before resetting (or is very slow: then Temporal makes one run of both resets).
  return { ok: false, error: 'in_progress', runId: await reset(deps, delivery, run.runId, finishEventId, reason) };
}

/** Past the namespace's retention Temporal has forgotten the workflow: start it afresh, same id. */
async function restart(deps: DispatchDeps, delivery: DeliveryDoc): Promise<ReplayResult> {
  // Not started yet (a large fan-out starts its deliveries itself): nothing to replay.
  if (!FINISHED.has(delivery.status)) return { ok: false, error: 'in_progress', runId: null };
  const [event, webhook] = await Promise.all([
    deps.store.events.get(delivery.account_id, delivery.event_id),
    deps.store.webhooks.byId(delivery.webhook_id),
  ]);
  if (!event || !webhook) return { ok: false, error: 'gone' };
  await deps.store.deliveries.setStatus(delivery._id, 'pending', null, delivery);
  try {
    const runId = await startDelivery(deps, event, webhook, 'ALLOW_DUPLICATE');
    if (runId) return { ok: true, runId };
    // Started meanwhile by another replay: that one won.
    return { ok: false, error: 'in_progress', runId: (await deps.client.workflow.getHandle(delivery.workflow_id).describe()).runId };
  } catch (error) {
    await deps.store.deliveries.setStatus(delivery._id, delivery.status, delivery.next_attempt_at);
    throw error;
  }
}
