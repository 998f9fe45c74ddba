// What one POST to a receiver leaves behind for operators: a trace span (the attempt, with the POST as a
// client span inside it) and the metrics of the process that sent it. Called around the POST itself, so
// an attempt a workflow adopts from a first attempt or a fan-out (which made the POST) counts once.
import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { AttemptClass } from '../src/domain/classify-response.js';
import type { AttemptMetricOutcome, Metrics } from '../src/metrics/metrics.js';
import { TRACER_NAME } from '../src/tracing/tracing.js';
import type { PostResult } from './http-post.js';

/** What the receiver did, as `herald_delivery_attempts_total` labels it (retries are no label). */
export function attemptMetricOutcome(response: PostResult, kind: AttemptClass): AttemptMetricOutcome {
  if (response.error) return response.error.kind;
  if (kind === 'success') return 'succeeded';
  if (kind === 'gone') return 'gone';
  return 'http_error';
}

/**
 * `url.full` as a trace may show it: no credentials, and query values replaced (a receiver's token often
 * sits in its query string).
 */
export function traceableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, 'REDACTED');
    return parsed.toString();
  } catch {
    return 'invalid';
  }
}

export interface AttemptTrace {
  /** Null when the attempt is not traced (tracing off, or not sampled). */
  traceId: string | null;
  /** `traceparent` (and `tracestate`) for a webhook that asked for them (`propagate_trace`). */
  headers: Record<string, string>;
  /** Ends the spans with the outcome. */
  end(response: PostResult, outcome: AttemptMetricOutcome): void;
}

const tracer = () => trace.getTracer(TRACER_NAME);

/**
 * Opens the attempt's span and its POST client span, in the caller's trace (the publish, or the delivery
 * workflow's attempt). `run` is called with the POST's context active.
 */
export async function tracedPost<T>(
  attributes: { url: string; deliveryId: string; attempt: number; eventType: string; propagate: boolean },
  run: (trace: AttemptTrace) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    'herald.delivery.attempt',
    {
      attributes: {
        'herald.delivery.id': attributes.deliveryId,
        'herald.attempt': attributes.attempt,
        'herald.event.type': attributes.eventType,
      },
    },
    async (attemptSpan: Span) => {
      const post = tracer().startSpan(
        'POST',
        { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.full': traceableUrl(attributes.url) } },
        context.active(),
      );
      const spanContext = post.spanContext();
      const traced = post.isRecording();
      const headers: Record<string, string> = {};
      if (attributes.propagate && traced) propagation.inject(trace.setSpan(context.active(), post), headers);
      const handle: AttemptTrace = {
        traceId: traced ? spanContext.traceId : null,
        headers,
        end(response, outcome) {
          if (response.statusCode !== null) post.setAttribute('http.response.status_code', response.statusCode);
          post.setAttribute('herald.attempt.outcome', outcome);
          attemptSpan.setAttribute('herald.attempt.outcome', outcome);
          if (outcome !== 'succeeded') {
            post.setAttribute('error.type', response.error ? response.error.kind : String(response.statusCode));
            post.setStatus({ code: SpanStatusCode.ERROR });
          }
          post.end();
        },
      };
      try {
        return await run(handle);
      } finally {
        attemptSpan.end();
      }
    },
  );
}

/** Counts one POST. */
export function countAttempt(metrics: Metrics | undefined, outcome: AttemptMetricOutcome, response: PostResult): void {
  metrics?.attempt(outcome, response.durationMs / 1000);
}
