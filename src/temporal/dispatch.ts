// Turns a stored event into delivery workflows: one per matching webhook, with deterministic ids, so a
// retried publish or a reconciler pass never starts anything twice. Up to `directFanoutMax` matches the
// caller starts them itself (the common case: no workflow besides the deliveries); above it, one
// fan-out workflow pages through the matches.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FirstAttempts } from '../../activities/first-attempts.js';
import type { deliveryWorkflow } from '../../workflows/delivery.js';
import type { fanOutWorkflow } from '../../workflows/fan-out.js';
import { type DeliveryInput, deliveryWorkflowTaskTimeoutMs } from '../domain/delivery.js';
import { isAccountLevel } from '../domain/event-catalogue.js';
import { deliveryId } from '../domain/ids.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AccountVersion } from '../store/account-versions.js';
import type { DeliveryDoc, EventDoc, WebhookDoc } from '../store/documents.js';
import type { Store } from '../store/index.js';
import type { MatchedEvent, Subscription } from '../store/webhook-matcher.js';
import { AccountId, DeliveryStatus, EventType, InboxId, WebhookId } from './search-attributes.js';
import { deliveryWorkflowId, fanOutWorkflowId } from './workflow-ids.js';

export interface DispatchDeps {
  store: Store;
  client: Client;
  taskQueue: string;
  /** Set when a worker shares this process's connection: the server hands the first task straight back. */
  eagerStart: boolean;
  /** HERALD_DIRECT_FANOUT_MAX: at most this many deliveries are started by the caller itself. */
  directFanoutMax: number;
  /** HERALD_FANOUT_PAGE_SIZE: webhooks per page of the fan-out workflow. */
  fanOutPageSize: number;
  /** HERALD_DELIVERY_TIMEOUT, carried in each delivery workflow's input. */
  deliveryTimeoutMs: number;
  /**
   * HERALD_SPEEDUP_FIRST_ATTEMPTS: the first attempts of a new event's direct deliveries begin beside
   * their starts, and every direct delivery's workflow adopts a first attempt it finds recorded.
   */
  firstAttempts?: Pick<FirstAttempts, 'begin'>;
  /** HERALD_SPEEDUP_FANOUT_PRE_ATTEMPTS (activities/fan-out.ts); unset means on. */
  fanOutPreAttempts?: boolean;
  /** Prometheus metrics (HERALD_METRICS); absent: none. */
  metrics?: Metrics;
}

export type DispatchResult = { mode: 'direct'; deliveries: number } | { mode: 'fan-out' };

/** `claimed`: its first attempt is begun before its workflow starts (DeliveryDoc.handoff). */
export function deliveryRecord(event: EventDoc, webhook: Pick<WebhookDoc, '_id'>, now: Date, claimed = false): DeliveryDoc {
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
    ...(claimed ? { handoff: null } : {}),
  };
}

/**
 * Ignores "already started": the deterministic id is how a second start becomes harmless. Resolves with
 * the new run's id, or null when it was already started.
 */
async function startOnce(start: () => Promise<{ firstExecutionRunId: string }>): Promise<string | null> {
  try {
    return (await start()).firstExecutionRunId;
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return null;
  }
}

export function startDelivery(
  deps: DispatchDeps,
  event: EventDoc,
  webhook: Pick<WebhookDoc, '_id' | 'url'>,
  reusePolicy: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE' = 'REJECT_DUPLICATE',
  /** `preAttempted`: a first attempt may have been begun before this start (see DeliveryInput). */
  options: { preAttempted?: boolean } = {},
): Promise<string | null> {
  const input: DeliveryInput = {
    deliveryId: deliveryId(webhook._id, event.id),
    webhookId: webhook._id,
    accountId: event.account_id,
    eventId: event.id,
    attemptTimeoutMs: deps.deliveryTimeoutMs,
    ...(options.preAttempted ? { preAttempted: true } : {}),
  };
  return startOnce(() =>
    deps.client.workflow.start<typeof deliveryWorkflow>('deliveryWorkflow', {
      workflowId: deliveryWorkflowId(webhook._id, event.id),
      taskQueue: deps.taskQueue,
      args: [input],
      // A completed delivery must not run again because its event was published twice; replay is a
      // reset (ALLOW_DUPLICATE only when Temporal no longer keeps the closed run).
      workflowIdReusePolicy: reusePolicy,
      // Long enough that no attempt makes the worker heartbeat the task (see the function's comment).
      workflowTaskTimeout: deliveryWorkflowTaskTimeoutMs(deps.deliveryTimeoutMs),
      requestEagerStart: deps.eagerStart,
      staticSummary: `POST ${new URL(webhook.url).host} ${event.type}`,
      typedSearchAttributes: [
        { key: WebhookId, value: webhook._id },
        { key: EventType, value: event.type },
        { key: AccountId, value: event.account_id },
        { key: DeliveryStatus, value: 'pending' },
        ...(event.inbox_id ? [{ key: InboxId, value: event.inbox_id }] : []),
      ],
    }),
  );
}

/**
 * Records a pending delivery for each webhook, then starts their workflows; resolves once all are
 * accepted. `firstAttempts`: see FirstAttemptsOption.
 */
export async function startDeliveries(
  deps: DispatchDeps,
  event: EventDoc,
  webhooks: Pick<WebhookDoc, '_id' | 'url'>[],
  now = new Date(),
  firstAttempts?: FirstAttemptsOption,
) {
  const begins = firstAttempts !== undefined && deps.firstAttempts !== undefined;
  const recorded = deps.store.deliveries.insertMany(webhooks.map((webhook) => deliveryRecord(event, webhook, now, begins)));
  // Adopting also where this call began nothing: a retried publish (or the reconciler) may start what an
  // earlier call began before it failed, and a delivery with nothing recorded just reads `none`.
  const preAttempted = deps.firstAttempts !== undefined;
  const starts = webhooks.map((webhook) => recorded.then(() => startDelivery(deps, event, webhook, 'REJECT_DUPLICATE', { preAttempted })));
  if (begins) {
    webhooks.forEach((webhook, i) => {
      deps.firstAttempts?.begin(
        {
          deliveryId: deliveryId(webhook._id, event.id),
          webhookId: webhook._id,
          accountId: event.account_id,
          eventId: event.id,
          attempt: 1,
          timeoutMs: deps.deliveryTimeoutMs,
        },
        { recorded, run: starts[i]?.catch(() => null) ?? Promise.resolve(null), webhook: firstAttempts?.webhooks?.get(webhook._id) },
      );
    });
  }
  await Promise.all(starts);
}

function startFanOut(deps: DispatchDeps, event: EventDoc): Promise<string | null> {
  return startOnce(() =>
    deps.client.workflow.start<typeof fanOutWorkflow>('fanOutWorkflow', {
      workflowId: fanOutWorkflowId(event.account_id, event.id),
      taskQueue: deps.taskQueue,
      args: [
        {
          accountId: event.account_id,
          eventId: event.id,
          pageSize: deps.fanOutPageSize,
          after: null,
          started: 0,
          attemptTimeoutMs: deps.deliveryTimeoutMs,
        },
      ],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      requestEagerStart: deps.eagerStart,
      staticSummary: `fan out ${event.type} ${event.id}`,
      typedSearchAttributes: [
        { key: EventType, value: event.type },
        { key: AccountId, value: event.account_id },
      ],
    }),
  );
}

/**
 * The webhooks an event goes to, one more than HERALD_DIRECT_FANOUT_MAX at most: enough to choose the
 * path. `version`: the account's version, if the caller read it during this publish.
 */
export function matchesFor(deps: DispatchDeps, event: MatchedEvent, version?: AccountVersion): Promise<Subscription[]> {
  return deps.store.webhooks.matching(event, isAccountLevel(event), { limit: deps.directFanoutMax + 1, version });
}

/** Webhook documents being read, by id. */
export type WebhookReads = Map<string, Promise<WebhookDoc | null>>;

/**
 * The caller has just stored the event (it did not exist before this call), so no delivery of it can
 * have been attempted or started: direct deliveries begin their first attempts beside the records and
 * the starts (see first-attempts.ts), with the webhooks the caller is reading already (`readWebhooks`).
 */
export interface FirstAttemptsOption {
  webhooks?: WebhookReads;
}

/**
 * Starts reading the documents (with secrets, never leaving this process) of the webhooks a new event
 * goes to, for its first attempts: the API does it while the event is being stored, so the POSTs need
 * no read after that. Nothing for a large fan-out, or where this process begins no first attempts.
 */
export function readWebhooks(deps: DispatchDeps, matches: Subscription[]): WebhookReads | undefined {
  if (!deps.firstAttempts || matches.length > deps.directFanoutMax) return undefined;
  return new Map(
    matches.map((webhook) => {
      const read = deps.store.webhooks.byId(webhook._id);
      // Unused when the event turns out to exist already; its attempt sees a failure of its own.
      read.catch(() => {});
      return [webhook._id, read];
    }),
  );
}

export interface DispatchOptions {
  now?: Date;
  /** `matchesFor(event)`, when the caller looked them up already (the API does, while storing the event). */
  matches?: Subscription[];
  /** Given when the caller has just stored the event: see FirstAttemptsOption. */
  firstAttempts?: FirstAttemptsOption;
  /**
   * Do not wait for `dispatched_at` to be written (the API's acknowledgement does not need it): if it
   * is lost, the reconciler dispatches the event again, which starts nothing new.
   */
  markInBackground?: boolean;
}

/**
 * Finds the matching webhooks and starts their deliveries (directly, or through one fan-out workflow),
 * then marks the event dispatched. Resolves only after Temporal accepted every start (or the fan-out
 * workflow's): an acknowledged event is never lost. Safe to call again for the same event.
 */
export async function dispatchEvent(deps: DispatchDeps, event: EventDoc, options: DispatchOptions = {}): Promise<DispatchResult> {
  const { now = new Date() } = options;
  const matches = options.matches ?? (await matchesFor(deps, event));
  let result: DispatchResult;
  if (matches.length <= deps.directFanoutMax) {
    await startDeliveries(deps, event, matches, now, options.firstAttempts);
    result = { mode: 'direct', deliveries: matches.length };
  } else {
    await startFanOut(deps, event);
    result = { mode: 'fan-out' };
  }
  const marked = deps.store.events.markDispatched(event.account_id, event.id, now);
  // Nothing to report: a mark that failed only costs the reconciler a pass over this event.
  if (options.markInBackground) marked.catch(() => {});
  else await marked;
  return result;
}
