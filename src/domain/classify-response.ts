// The one place that decides what an HTTP answer (or the lack of one) means for a delivery.

export type AttemptClass =
  /** 2xx: delivered. */
  | 'success'
  /** Worth trying again later: 5xx, 429, 408, 425, other 4xx, 3xx (redirects are not followed), timeouts, network errors. */
  | 'retry'
  /** 410 Gone: the receiver asked us to stop; the webhook is disabled. */
  | 'gone';

export type AttemptResult = { statusCode: number } | { error: 'timeout' | 'network' };

export function classifyAttempt(result: AttemptResult): AttemptClass {
  if ('error' in result) return 'retry';
  const { statusCode } = result;
  if (statusCode >= 200 && statusCode < 300) return 'success';
  if (statusCode === 410) return 'gone';
  // Everything else is a failed attempt that the schedule retries. Receivers misconfigure (a 404
  // during a deploy, a 401 while a secret rotates), so even plain 4xx get another chance.
  return 'retry';
}
