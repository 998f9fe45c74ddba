// One delivery attempt: load (the secret never leaves this process), sign, POST, classify, record.
import { Context } from '@temporalio/activity';
import { classifyAttempt } from '../src/domain/classify-response.js';
import type { AttemptInput, AttemptOutcome } from '../src/domain/delivery.js';
import { buildEnvelope } from '../src/domain/envelope.js';
import { nextRetryDelay, parseRetryAfter, type RetryPolicy } from '../src/domain/retry-schedule.js';
import { eventSignedHeaders } from '../src/domain/signing.js';
import type { Metrics } from '../src/metrics/metrics.js';
import type { AttemptDoc, DeliveryStatus, EventDoc, WebhookDoc } from '../src/store/documents.js';
import type { Store } from '../src/store/index.js';
import { validSecrets } from '../src/store/webhooks-repo.js';
import { type AttemptTrace, attemptMetricOutcome, countAttempt, tracedPost } from './attempt-telemetry.js';
import { type DeliveryHealthDeps, parkIfHeld, recordHealth } from './delivery-health.js';
import { adoptFirstAttempt, type FirstAttempts, type HandOff, type HeadStart } from './first-attempts.js';
import type { HttpSender, PostResult } from './http-post.js';
import { deferDelayMs, type InFlightLimit } from './in-flight-limit.js';
import type { ListenRelay } from './listen-relay.js';

export interface AttemptDeps {
  store: Store;
  sender: HttpSender;
  retryPolicy: RetryPolicy;
  health: DeliveryHealthDeps;
  /** First attempts the API began on this process (see first-attempts.ts); their workflows take them. */
  firstAttempts?: Pick<FirstAttempts, 'take'>;
  /** Caps attempts in flight per webhook and per account in this process (see in-flight-limit.ts). */
  inFlight?: InFlightLimit;
  /** Prometheus metrics (HERALD_METRICS); absent: none. */
  metrics?: Metrics;
  /** Where a `herald listen` webhook's attempts go instead of a POST (listen-relay.ts). */
  listen?: ListenRelay;
  now?: () => Date;
}

const ERROR_TEXT_LIMIT = 1_000;

export interface SendAttemptInput {
  deliveryId: string;
  /** 1-based position in the retry schedule. */
  attempt: number;
  timeoutMs: number;
  /** With its secrets: read by the calling activity, never passed through Temporal. */
  webhook: WebhookDoc;
  event: EventDoc;
  /** The event's envelope when the caller already built it (a fan-out sends the same body to every webhook). */
  body?: string;
  /** A first attempt begun before its workflow (see first-attempts.ts): asked as the attempt is recorded. */
  handOff?: HandOff;
  /** The insert of the delivery record, when it may still be under way: the POST goes out, the record waits for it. */
  recorded?: Promise<unknown>;
}

/**
 * Signs, POSTs, classifies and records one attempt (on the delivery, the webhook's statistics and, when
 * it matters, its health workflow): the one code path every attempt at a receiver goes through, whether
 * the delivery workflow or a fan-out makes it.
 */
export async function sendAttempt(deps: AttemptDeps, input: SendAttemptInput): Promise<AttemptOutcome> {
  const { webhook, event } = input;
  return tracedPost(
    {
      url: webhook.url,
      deliveryId: input.deliveryId,
      attempt: input.attempt,
      eventType: event.type,
      propagate: webhook.propagate_trace === true,
    },
    (trace) => sendTracedAttempt(deps, input, trace),
  );
}

async function sendTracedAttempt(deps: AttemptDeps, input: SendAttemptInput, trace: AttemptTrace): Promise<AttemptOutcome> {
  const { store, sender, retryPolicy, health, now = () => new Date() } = deps;
  const { deliveryId, attempt, timeoutMs, webhook, event } = input;
  const startedAt = now();
  const body = input.body ?? buildEnvelope(event);
  const headers = eventSignedHeaders(validSecrets(webhook, startedAt), event, Math.floor(startedAt.getTime() / 1000), body);
  // Its own connection pool per webhook (HERALD_CONNECTIONS_PER_WEBHOOK). A POST the sender abandons at
  // shutdown throws (PostCancelledError): nothing is recorded, and the attempt is made again after a restart.
  // trace.headers: W3C trace context, only for a webhook that asked for it (propagate_trace).
  const response = webhook.listen_session
    ? await relayed(
        deps,
        webhook.listen_session,
        { deliveryId, eventId: event.id, eventType: event.type, headers: { ...headers }, body },
        timeoutMs,
      )
    : await sender.post(webhook.url, { ...trace.headers, ...headers }, body, timeoutMs, { pool: webhook._id });
  const kind = classifyAttempt(response.statusCode === null ? { error: 'network' } : { statusCode: response.statusCode });
  const metricOutcome = attemptMetricOutcome(response, kind);
  trace.end(response, metricOutcome);
  countAttempt(deps.metrics, metricOutcome, response);
  const errorText = response.error
    ? response.error.message.slice(0, ERROR_TEXT_LIMIT)
    : kind === 'success'
      ? null
      : `HTTP ${response.statusCode}`;

  const record: AttemptDoc = {
    started_at: startedAt,
    duration_ms: response.durationMs,
    status_code: response.statusCode,
    response_body: response.responseBody,
    error: errorText,
    outcome: kind,
    ...(trace.traceId ? { trace_id: trace.traceId } : {}),
  };

  let outcome: AttemptOutcome;
  let status: DeliveryStatus;
  let nextAttemptAt: Date | null = null;
  if (kind === 'success') {
    outcome = { result: 'succeeded', statusCode: response.statusCode ?? 0 };
    status = 'succeeded';
  } else if (kind === 'gone') {
    outcome = { result: 'gone' };
    status = 'failed';
  } else {
    const delayMs = nextRetryDelay(retryPolicy, attempt, Math.random, parseRetryAfter(response.retryAfter, startedAt.getTime()));
    if (delayMs === undefined) {
      outcome = { result: 'failed', statusCode: response.statusCode, error: errorText };
      status = 'failed';
    } else {
      outcome = { result: 'retry', delayMs, statusCode: response.statusCode, error: errorText };
      status = 'retrying';
      nextAttemptAt = new Date(startedAt.getTime() + delayMs);
    }
  }
  await input.recorded;
  const left = await input.handOff?.();
  const handoff = left === undefined ? undefined : left && { outcome, run: left.run };
  await store.deliveries.recordAttempt(deliveryId, record, status, nextAttemptAt, handoff);
  if (status === 'succeeded') {
    deps.metrics?.deliveryLatency((startedAt.getTime() + response.durationMs - event.created_at.getTime()) / 1000);
    deps.metrics?.deliveryCompleted('succeeded');
  } else if (status === 'failed') deps.metrics?.deliveryCompleted('failed');
  await recordHealth(store, health, webhook, kind, errorText, startedAt);
  return outcome;
}

export function createAttemptDelivery(deps: AttemptDeps) {
  const { store, health, now = () => new Date() } = deps;
  /** `headStart`: given only to a first attempt the API begins (see first-attempts.ts). */
  return async function attemptDelivery(input: AttemptInput, headStart?: HeadStart): Promise<AttemptOutcome> {
    const { deliveryId, timeoutMs } = input;
    // This process began the delivery's first attempt while starting its workflow: this is that attempt.
    // (Taken from memory once; a retry of this activity finds it on the record, marked with this run.)
    const begun = deps.firstAttempts?.take(deliveryId, workflowRun());
    if (begun) return begun;
    // Another process (an API, a fan-out) began it: adopt its recorded outcome (see first-attempts.ts).
    if (input.adopt) {
      const handed = await adoptFirstAttempt(store, input, workflowRun(), now);
      if (handed) return handed;
    }
    // Over its webhook's or account's cap of attempts in flight: give the slot back at once.
    const release = deps.inFlight?.tryAcquire(input.webhookId, input.accountId);
    if (deps.inFlight && !release) {
      // The publish that began this first attempt reads the webhook for other uses too; nothing waits here.
      headStart?.webhook?.catch(() => undefined);
      return { result: 'deferred', delayMs: deferDelayMs(input.deferrals ?? 0, timeoutMs) };
    }
    try {
      return await attemptOnce(input, headStart);
    } finally {
      release?.();
    }
  };

  async function attemptOnce(input: AttemptInput, headStart: HeadStart | undefined): Promise<AttemptOutcome> {
    const { deliveryId, attempt, timeoutMs, released = false } = input;
    // Reads by `_id`, side by side (the event usually not even that: see recent-events.ts); the delivery
    // record itself is only written, its ids are in the input.
    const recorded = headStart?.recorded;
    const [webhook, event] = await Promise.all([
      headStart?.webhook ?? store.webhooks.byId(input.webhookId),
      store.events.forDelivery(input.accountId, input.eventId),
    ]);
    if (!webhook || !event) {
      await recorded;
      await store.deliveries.setStatus(deliveryId, 'cancelled');
      deps.metrics?.deliveryCompleted('cancelled');
      return { result: 'cancelled' };
    }
    // An unhealthy or disabled webhook's receiver gets no request: the delivery waits to be released.
    const parked = await parkIfHeld(store, health, deliveryId, webhook, released, recorded);
    if (parked?.result === 'cancelled') deps.metrics?.deliveryCompleted('cancelled');
    if (parked) return parked;
    return sendAttempt(deps, { deliveryId, attempt, timeoutMs, webhook, event, recorded, handOff: headStart?.handOff });
  }
}

/** The run of the delivery workflow this attempt belongs to (a reset makes a new one). */
function workflowRun(): string {
  const run = Context.current().info.workflowExecution?.runId;
  if (!run) throw new Error('attemptDelivery runs only as an activity of a delivery workflow');
  return run;
}

/** A `herald listen` webhook's attempt: relayed to the CLI holding its session (listen-relay.ts). */
function relayed(
  deps: AttemptDeps,
  sessionId: string,
  request: Parameters<ListenRelay['post']>[1],
  timeoutMs: number,
): Promise<PostResult> {
  if (!deps.listen) throw new Error('a herald listen webhook, but this process relays no listen sessions');
  return deps.listen.post(sessionId, request, timeoutMs);
}
