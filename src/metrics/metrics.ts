// Herald's Prometheus metrics (prom-client), one registry per Herald instance (tests start several in one
// process). No label ever holds an account, webhook or event id: label values are small fixed sets.
// With HERALD_METRICS=off every method is a no-op and nothing is registered.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type AttemptMetricOutcome = 'succeeded' | 'http_error' | 'timeout' | 'network' | 'gone' | 'forbidden';
export type CompletedStatus = 'succeeded' | 'failed' | 'cancelled';
export type HealthTransition = 'unhealthy' | 'disabled' | 'active';

/** Receiver's time for one POST, seconds. */
export const ATTEMPT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
/** Event accepted → successful POST, retries included: 5 ms up to 48 h (docs/observability.md lists them). */
export const DELIVERY_LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 18_000, 36_000, 86_400, 172_800,
];
/** The API's time to accept a publish, seconds. */
export const PUBLISH_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface Metrics {
  readonly enabled: boolean;
  /** Null when metrics are off. */
  readonly registry: Registry | null;
  eventPublished(type: string, seconds: number): void;
  /** One per POST made by this process, whatever becomes of it. */
  attempt(outcome: AttemptMetricOutcome, seconds: number): void;
  /** A successful POST: `seconds` since the event was accepted. */
  deliveryLatency(seconds: number): void;
  deliveryCompleted(status: CompletedStatus): void;
  healthTransition(to: HealthTransition): void;
  /**
   * Worker processes only: `herald_parked_deliveries` is read from `count` at scrape time (at most once per
   * `cacheMs`, so that a busy scraper does not turn into a query load).
   */
  reportParked(count: () => Promise<number>, cacheMs?: number): void;
}

const noop = (): void => {};

export const metricsOff: Metrics = {
  enabled: false,
  registry: null,
  eventPublished: noop,
  attempt: noop,
  deliveryLatency: noop,
  deliveryCompleted: noop,
  healthTransition: noop,
  reportParked: noop,
};

export function createMetrics(enabled: boolean): Metrics {
  if (!enabled) return metricsOff;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const published = new Counter({
    name: 'herald_events_published_total',
    help: 'events.publish calls accepted, by event type (a retried publish of an event already stored counts again).',
    labelNames: ['type'],
    registers,
  });
  const publishDuration = new Histogram({
    name: 'herald_publish_duration_seconds',
    help: "The API's time to accept a publish (store, match, start the deliveries).",
    buckets: PUBLISH_DURATION_BUCKETS,
    registers,
  });
  const attempts = new Counter({
    name: 'herald_delivery_attempts_total',
    help: 'POSTs to receivers made by this process, by what the receiver did (an adopted attempt is not counted again).',
    labelNames: ['outcome'],
    registers,
  });
  const attemptDuration = new Histogram({
    name: 'herald_delivery_attempt_duration_seconds',
    help: "The receiver's time: POST to answer (or to the error).",
    buckets: ATTEMPT_DURATION_BUCKETS,
    registers,
  });
  const latency = new Histogram({
    name: 'herald_delivery_latency_seconds',
    help: 'Event accepted to successful POST, retries included.',
    buckets: DELIVERY_LATENCY_BUCKETS,
    registers,
  });
  const completed = new Counter({
    name: 'herald_deliveries_completed_total',
    help: 'Deliveries that reached a final status, by status.',
    labelNames: ['status'],
    registers,
  });
  const transitions = new Counter({
    name: 'herald_webhook_health_transitions_total',
    help: 'Webhook status changes made by the health workflows, by the status reached.',
    labelNames: ['to'],
    registers,
  });
  // Every label value present from the start, so that rate() and increase() see the first increment.
  for (const outcome of ['succeeded', 'http_error', 'timeout', 'network', 'gone', 'forbidden']) attempts.inc({ outcome }, 0);
  for (const status of ['succeeded', 'failed', 'cancelled']) completed.inc({ status }, 0);
  for (const to of ['unhealthy', 'disabled', 'active']) transitions.inc({ to }, 0);

  let parkedRegistered = false;
  return {
    enabled: true,
    registry,
    eventPublished(type, seconds) {
      published.inc({ type });
      publishDuration.observe(seconds);
    },
    attempt(outcome, seconds) {
      attempts.inc({ outcome });
      attemptDuration.observe(seconds);
    },
    deliveryLatency(seconds) {
      latency.observe(seconds);
    },
    deliveryCompleted(status) {
      completed.inc({ status });
    },
    healthTransition(to) {
      transitions.inc({ to });
    },
    reportParked(count, cacheMs = 10_000) {
      if (parkedRegistered) return;
      parkedRegistered = true;
      let last: { at: number; value: number } | undefined;
      new Gauge({
        name: 'herald_parked_deliveries',
        help: 'Deliveries parked behind an unhealthy or disabled webhook (every process reports the same count: take max()).',
        registers,
        async collect() {
          if (!last || Date.now() - last.at >= cacheMs) {
            // A failed count leaves the last value (or none): a scrape must not fail because MongoDB is slow.
            const value = await count().catch(() => undefined);
            if (value !== undefined) last = { at: Date.now(), value };
          }
          if (last) this.set(last.value);
        },
      });
    },
  };
}
