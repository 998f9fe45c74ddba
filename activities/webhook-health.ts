// The health workflow's activities: write the webhook's status (on the webhook document, which every
// attempt reads and the API shows; a versioned write, so no API edit or rotation is undone), emit
// webhook.unhealthy through the normal publish path, and release or cancel parked deliveries.
import { heartbeat } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { HealthState } from '../src/domain/health.js';
import { derivedEventId } from '../src/domain/ids.js';
import type { Metrics } from '../src/metrics/metrics.js';
import type { WebhookDoc, WebhookStatsDoc } from '../src/store/documents.js';
import type { Store } from '../src/store/index.js';
import { type DispatchDeps, dispatchEvent } from '../src/temporal/dispatch.js';
import { releaseUpdate } from '../workflows/messages.js';

export interface WebhookHealthDeps {
  store: Store;
  client: Client;
  dispatch: DispatchDeps;
  unhealthyAfter: number;
  /** Parked deliveries released per activity (each waits for its attempt's answer). */
  releasePageSize?: number;
  /** Prometheus metrics (HERALD_METRICS); absent: none. */
  metrics?: Metrics;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function createWebhookHealthActivities({
  store,
  client,
  dispatch,
  unhealthyAfter,
  releasePageSize = 100,
  metrics,
}: WebhookHealthDeps) {
  /** Makes a parked delivery attempt now; its outcome, or null when its workflow is gone. */
  async function release(delivery: { _id: string; workflow_id: string }) {
    try {
      return await client.workflow.getHandle(delivery.workflow_id).executeUpdate(releaseUpdate);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // Terminated by an operator, or past Temporal's retention: nothing will ever resume it.
      await store.deliveries.setStatus(delivery._id, 'cancelled');
      metrics?.deliveryCompleted('cancelled');
      return null;
    }
  }

  async function emitUnhealthy(
    webhook: WebhookDoc,
    stats: WebhookStatsDoc | null,
    failure: { failureCount: number; lastError: string | null; lastFailureAt: Date },
  ): Promise<void> {
    // daimon's documented payload field for field (top-level `webhook_id`, `webhook.events`), plus
    // Herald's `event_types` (what it sent before, kept for receivers that read it).
    const data = {
      webhook_id: webhook._id,
      webhook: {
        id: webhook._id,
        url: webhook.url,
        events: webhook.event_types,
        status: 'unhealthy',
        failure_count: failure.failureCount,
        last_error: failure.lastError,
        last_success_at: iso(stats?.last_delivered_at ?? null),
        last_failure_at: iso(failure.lastFailureAt),
        event_types: webhook.event_types,
      },
    };
    const { event } = await store.events.insert({
      id: derivedEventId('webhook.unhealthy', webhook._id, failure.lastFailureAt.toISOString()),
      account_id: webhook.account_id,
      type: 'webhook.unhealthy',
      inbox_id: null,
      pod_id: null,
      data,
      created_at: new Date(),
      scope: 'account',
      source_webhook_id: webhook._id,
    });
    if (!event.dispatched_at) await dispatchEvent(dispatch, event);
  }

  return {
    /** The first run's state, from MongoDB (the webhook may predate its health workflow); null if deleted. */
    async loadHealth({ webhookId }: { webhookId: string }): Promise<HealthState | null> {
      const [webhook, stats] = await Promise.all([store.webhooks.byId(webhookId), store.webhookStats.get(webhookId)]);
      if (!webhook) return null;
      return {
        status: webhook.status,
        failureCount: stats?.failure_count ?? 0,
        seq: stats?.health_seq ?? 0,
        lastError: stats?.last_error ?? null,
        lastFailureAt: iso(stats?.last_failure_at ?? null),
        unhealthyAfter,
        resuming: webhook.resuming ?? false,
        run: 1,
      };
    },

    /** Active again, count reset, new deliveries held until the parked ones are released. */
    async enableWebhook({ webhookId }: { webhookId: string }): Promise<{ seq: number; parked: number } | null> {
      if (!(await store.webhooks.setHealth(webhookId, { status: 'active', resuming: true }))) return null;
      const seq = await store.webhookStats.reset(webhookId);
      if (seq === null) return null;
      metrics?.healthTransition('active');
      return { seq, parked: await store.deliveries.countParked(webhookId) };
    },

    async disableWebhook({ webhookId }: { webhookId: string }): Promise<boolean> {
      const disabled = (await store.webhooks.setHealth(webhookId, { status: 'disabled', resuming: false })) !== null;
      if (disabled) metrics?.healthTransition('disabled');
      return disabled;
    },

    /**
     * Marks the webhook unhealthy and tells the account's other webhooks subscribed to webhook.unhealthy.
     * Idempotent: the event's id is derived from the failure that crossed the threshold, so a retry
     * stores and dispatches it once. False when the webhook was deleted meanwhile. (The count and the
     * last error are in the webhook's statistics already: the attempts wrote them.)
     */
    async markUnhealthy(input: { webhookId: string; failureCount: number; lastError: string | null; lastFailureAt: string | null }) {
      const lastFailureAt = input.lastFailureAt ? new Date(input.lastFailureAt) : new Date();
      const webhook = await store.webhooks.setHealth(input.webhookId, { status: 'unhealthy', resuming: false });
      if (!webhook) return false;
      metrics?.healthTransition('unhealthy');
      await emitUnhealthy(webhook, await store.webhookStats.get(input.webhookId), {
        failureCount: input.failureCount,
        lastError: input.lastError,
        lastFailureAt,
      });
      return true;
    },

    /** New deliveries stop waiting behind the released ones. */
    async finishRelease({ webhookId }: { webhookId: string }): Promise<void> {
      await store.webhooks.setHealth(webhookId, { status: 'active', resuming: false });
    },

    /**
     * Releases up to a page of parked deliveries, oldest event first, each only after the previous one's
     * attempt was answered: that is what keeps them in order at the receiver. Stops when a released
     * delivery parks again (the webhook became unhealthy or disabled meanwhile).
     */
    async releaseParkedDeliveries({ webhookId }: { webhookId: string }): Promise<{ released: number; more: boolean; stopped: boolean }> {
      const page = await store.deliveries.parked(webhookId, releasePageSize);
      let released = 0;
      // The receiver may take up to the delivery timeout to answer; keep the heartbeat going meanwhile.
      const beat = setInterval(() => heartbeat(released), 5_000);
      try {
        for (const delivery of page) {
          heartbeat(released);
          const outcome = await release(delivery);
          if (outcome?.result === 'parked') return { released, more: true, stopped: true };
          released++;
        }
      } finally {
        clearInterval(beat);
      }
      return { released, more: page.length === releasePageSize, stopped: false };
    },

    /**
     * After a delete: wakes every parked delivery; its attempt finds the webhook gone and ends the
     * delivery as cancelled (no request is made). Order does not matter here, so a few at a time.
     */
    async cancelParkedDeliveries({ webhookId }: { webhookId: string }): Promise<number> {
      let cancelled = 0;
      for (;;) {
        const page = await store.deliveries.parked(webhookId, releasePageSize);
        if (page.length === 0) break;
        for (let i = 0; i < page.length; i += 10) {
          const outcomes = await Promise.all(page.slice(i, i + 10).map((delivery) => release(delivery)));
          // Parked again: the webhook still exists, so this was no delete; leave the rest alone.
          if (outcomes.some((outcome) => outcome?.result === 'parked')) return cancelled;
          cancelled += outcomes.length;
        }
      }
      // Statistics an attempt that was under way during the delete recorded after it.
      await store.webhookStats.delete(webhookId);
      return cancelled;
    },
  };
}
