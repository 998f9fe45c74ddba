// The delivery side of a webhook's health: parking instead of sending while the webhook is held, and
// reporting the outcomes that matter (failures, the first success after failures) to its health
// workflow. A healthy webhook's successes report nothing: the health workflow stays off the hot path.
import { Runtime } from '@temporalio/worker';
import type { AttemptClass } from '../src/domain/classify-response.js';
import type { AttemptOutcome } from '../src/domain/delivery.js';
import { type HealthReport, holdsDelivery } from '../src/domain/health.js';
import type { Metrics } from '../src/metrics/metrics.js';
import type { WebhookDoc } from '../src/store/documents.js';
import type { Store } from '../src/store/index.js';

export interface DeliveryHealthDeps {
  /** Signals the webhook's health workflow, starting it if it is not running (signal-with-start). */
  report(webhook: Pick<WebhookDoc, '_id' | 'account_id'>, report: HealthReport): Promise<void>;
  /** HERALD_UNHEALTHY_AFTER, carried by failure reports so a changed setting applies at once. */
  unhealthyAfter: number;
  /** How long a delivery stays parked before it is given up (HERALD_RETENTION_DAYS). */
  parkMaxMs: number;
  /** Webhooks whose success this process recorded a moment ago (see createSuccessMemo). */
  recentSuccesses: SuccessMemo;
}

export type SuccessMemo = ReturnType<typeof createSuccessMemo>;

/**
 * Remembers, for `windowMs`, that this process recorded a success for a webhook (its failure count is
 * then 0). Another success inside the window writes nothing: a webhook receiving hundreds of events a
 * second costs one statistics write a second instead of one per delivery, and `last_delivered_at` lags
 * by at most the window. A failure recorded here forgets the webhook at once; one recorded by another
 * worker process is not seen until the window ends, so for that long its successes here do not reset
 * the count it reports.
 */
export function createSuccessMemo(windowMs = 1_000, now = () => Date.now()) {
  const until = new Map<string, number>();
  return {
    fresh(webhookId: string): boolean {
      return (until.get(webhookId) ?? 0) > now();
    },
    remember(webhookId: string): void {
      if (windowMs <= 0) return;
      // Expired entries go when the map grows, so it stays about as large as the set of busy webhooks.
      if (until.size >= 10_000) for (const [id, t] of until) if (t <= now()) until.delete(id);
      until.set(webhookId, now() + windowMs);
    },
    forget(webhookId: string): void {
      until.delete(webhookId);
    },
  };
}

/**
 * Parks the delivery when its webhook holds deliveries; null when it may be sent. After parking, the
 * hold is read again: a release that finished in between cannot have seen this delivery, so it is
 * sent now instead (the release's last pass looks for parked deliveries only after clearing its flag).
 */
export async function parkIfHeld(
  store: Store,
  deps: DeliveryHealthDeps,
  deliveryId: string,
  webhook: WebhookDoc,
  released: boolean,
  /** The insert of the delivery record, when it may still be under way: written only after it. */
  recorded?: Promise<unknown>,
): Promise<AttemptOutcome | null> {
  if (!holdsDelivery(webhook, released)) return null;
  await recorded;
  await store.deliveries.setStatus(deliveryId, 'parked');
  const now = await store.webhooks.byId(webhook._id);
  if (!now) {
    await store.deliveries.setStatus(deliveryId, 'cancelled');
    return { result: 'cancelled' };
  }
  if (!holdsDelivery(now, released)) return null;
  return { result: 'parked', maxWaitMs: deps.parkMaxMs };
}

/**
 * Records the attempt's outcome in the webhook's statistics (never the webhook document: see
 * WebhookStatsDoc) and tells the health workflow when it matters.
 */
export async function recordHealth(
  store: Store,
  deps: DeliveryHealthDeps,
  webhook: Pick<WebhookDoc, '_id' | 'account_id' | 'listen_session'>,
  kind: AttemptClass,
  error: string | null,
  at: Date,
): Promise<void> {
  if (kind === 'success' && deps.recentSuccesses.fresh(webhook._id)) return;
  const recorded = await store.webhookStats.record(webhook._id, kind === 'success', error, at);
  if (!recorded) return;
  if (kind === 'success') deps.recentSuccesses.remember(webhook._id);
  else deps.recentSuccesses.forget(webhook._id);
  // A `herald listen` webhook never turns unhealthy (no webhook.unhealthy for a laptop that sleeps): its
  // statistics are kept, its health workflow hears nothing.
  if (webhook.listen_session) return;
  const { seq, failureCount } = recorded;
  let report: HealthReport;
  if (kind === 'success') {
    if (recorded.previousFailureCount === 0) return;
    report = { kind: 'recovered', seq, at: at.toISOString() };
  } else if (kind === 'gone') {
    report = { kind: 'gone', seq, failureCount, error, at: at.toISOString() };
  } else {
    report = { kind: 'failure', seq, failureCount, error, at: at.toISOString(), unhealthyAfter: deps.unhealthyAfter };
  }
  try {
    await deps.report(webhook, report);
  } catch (err) {
    // Throwing would retry the attempt, i.e. POST again. A lost report costs little: the next one
    // carries the webhook's current count, which is what the health workflow acts on. The runtime's
    // logger, where activity logs go too: a first attempt begun by the API runs outside any activity.
    Runtime.instance().logger.warn('could not report to the health workflow', {
      webhookId: webhook._id,
      kind: report.kind,
      error: String(err),
    });
  }
}

/** A parked delivery waited longer than the retention period: it is given up. */
export function createExpireParkedDelivery(store: Store, metrics?: Metrics) {
  return async function expireParkedDelivery({ deliveryId }: { deliveryId: string }): Promise<void> {
    await store.deliveries.setStatus(deliveryId, 'failed');
    metrics?.deliveryCompleted('failed');
  };
}
