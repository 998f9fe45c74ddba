// Types shared by the delivery workflow and its activities. Pure: no secrets, no bodies, only ids.

/**
 * POSTs in flight at once in one page of a large fan-out's first attempts: enough to hide the
 * receivers' latency, few enough for one connection pool. The fan-out workflow sizes the page's
 * timeout by it.
 */
export const FANOUT_ATTEMPT_CONCURRENCY = 50;

export interface DeliveryInput {
  deliveryId: string;
  webhookId: string;
  accountId: string;
  /** The event's id, which is also the `webhook-id` header (the same across retries and replays). */
  eventId: string;
  /** HERALD_DELIVERY_TIMEOUT when the delivery was dispatched; bounds each attempt (not a secret). */
  attemptTimeoutMs: number;
  /**
   * A first attempt may have been begun before this start (by the API beside it, or by a large fan-out:
   * activities/first-attempts.ts): the first turn adopts the outcome recorded on the delivery (its
   * handoff) instead of POSTing, waiting for one still under way; with none, it attempts as usual.
   */
  preAttempted?: boolean;
}

export interface AttemptInput {
  deliveryId: string;
  /** The delivery's ids, so an attempt needs no read of the delivery record. */
  webhookId: string;
  accountId: string;
  eventId: string;
  /** 1-based position in the retry schedule of this run (a replay starts again at 1). */
  attempt: number;
  /** The POST's timeout: the one the delivery was dispatched with, which also bounds the activity. */
  timeoutMs: number;
  /** Set on the first attempt after the health workflow released this parked delivery. */
  released?: boolean;
  /** Set on the first attempt of a pre-attempted delivery: adopt the recorded first attempt if any. */
  adopt?: boolean;
  /** Consecutive `deferred` turns just before this one (unset when none): lengthens the next wait. */
  deferrals?: number;
}

export type AttemptOutcome =
  /** Delivered (2xx). */
  | { result: 'succeeded'; statusCode: number }
  /** Failed; try again after `delayMs` (from the schedule, jittered, or the receiver's Retry-After). */
  | { result: 'retry'; delayMs: number; statusCode: number | null; error: string | null }
  /** Failed and the schedule is spent. */
  | { result: 'failed'; statusCode: number | null; error: string | null }
  /** The receiver answered 410 Gone: the webhook is disabled, nothing more is sent. */
  | { result: 'gone' }
  /** The webhook or event no longer exists (deleted): nothing to deliver. */
  | { result: 'cancelled' }
  /** Nothing was sent: the webhook is unhealthy or disabled. Wait (at most `maxWaitMs`) to be released. */
  | { result: 'parked'; maxWaitMs: number }
  /**
   * Nothing was sent: the webhook (or its account) already has its cap of attempts in flight in this
   * process (see activities/in-flight-limit.ts). Try again after `delayMs`; not an attempt, not a failure.
   */
  | { result: 'deferred'; delayMs: number };

export type DeliveryResult = { status: 'succeeded' | 'failed' | 'gone' | 'cancelled'; attempts: number };

/** Room for the store reads and writes around the POST, which HERALD_DELIVERY_TIMEOUT bounds. */
export const ATTEMPT_STORE_MARGIN_MS = 10_000;

/** The attempt's bound as a local activity: the POST's timeout plus the store's margin. */
export function attemptActivityTimeoutMs(attemptTimeoutMs: number): number {
  return attemptTimeoutMs + ATTEMPT_STORE_MARGIN_MS;
}

/**
 * The delivery workflow's task timeout. A local activity that outlasts 80 % of it makes the worker
 * heartbeat the workflow task; under load that new task can be taken by another worker process, which
 * replays a history without the attempt's marker and POSTs again while the first attempt is still
 * running (a duplicate without any fault: seen on the PostgreSQL cluster with 2 workers). Longer than the
 * attempt's bound / 0.8, no attempt ever needs that heartbeat. (The cost: a task held by a worker that
 * died is retried after this long, not Temporal's default 10 s.) Temporal allows at most 120 s.
 */
export function deliveryWorkflowTaskTimeoutMs(attemptTimeoutMs: number): number {
  return Math.min(120_000, Math.ceil(attemptActivityTimeoutMs(attemptTimeoutMs) / 0.8) + 5_000);
}
