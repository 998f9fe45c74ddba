// Pure: the attempt activity (activities/attempt-delivery.ts) calls it with Math.random, once per failed
// attempt, and returns the delay to the delivery workflow, whose history keeps it: a replay reads the
// recorded delay, so the jitter needs no seeded random.

export interface RetryPolicy {
  /** Delay before attempt 2, 3, …; its length + 1 is the number of attempts. */
  scheduleMs: readonly number[];
  /** ±fraction of each delay, so that a receiver's outage does not become a thundering herd. */
  jitter: number;
}

/**
 * Delay before the attempt after `attemptsMade` attempts, or `undefined` when the schedule is spent.
 * A receiver's `Retry-After` is honoured but clamped to [scheduled, 2 × scheduled]: it may slow us
 * down, not stall a delivery for days or make us hammer a struggling endpoint.
 */
export function nextRetryDelay(policy: RetryPolicy, attemptsMade: number, random: () => number, retryAfterMs?: number): number | undefined {
  const scheduled = policy.scheduleMs[attemptsMade - 1];
  if (scheduled === undefined) return undefined;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    return Math.min(Math.max(retryAfterMs, scheduled), 2 * scheduled);
  }
  const spread = scheduled * policy.jitter;
  return Math.max(0, Math.round(scheduled - spread + random() * 2 * spread));
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
