// The pages of a large fan-out (workflows/fan-out.ts). First every page of matching webhooks gets its
// delivery records and its first attempts, POSTed from here concurrently; then every page gets its
// delivery workflows, which adopt those outcomes. Workflows are started from here with the client, not
// as child workflows (see workflows/fan-out.ts).
import { FANOUT_ATTEMPT_CONCURRENCY } from '../src/domain/delivery.js';
import { buildEnvelope } from '../src/domain/envelope.js';
import { isAccountLevel } from '../src/domain/event-catalogue.js';
import { holdsDelivery } from '../src/domain/health.js';
import { deliveryId } from '../src/domain/ids.js';
import { type DispatchDeps, deliveryRecord, startDelivery } from '../src/temporal/dispatch.js';
import { type AttemptDeps, sendAttempt } from './attempt-delivery.js';
import { forEachBounded } from './for-each-bounded.js';

export interface FanOutPageInput {
  accountId: string;
  eventId: string;
  /** The last webhook id of the previous page; null for the first page. */
  after: string | null;
  pageSize: number;
}

export interface FanOutAttemptPageInput extends FanOutPageInput {
  /** HERALD_DELIVERY_TIMEOUT when the event was dispatched: each POST's timeout. */
  attemptTimeoutMs: number;
}

export interface FanOutAttemptPageResult {
  /** First attempts made by this page. */
  attempted: number;
  /** The page's webhooks (all have a delivery record now): what its start page starts. */
  webhookIds: string[];
  next: string | null;
}

/**
 * Records a page's deliveries and makes their first attempts, exactly as a delivery workflow's attempt
 * would (`sendAttempt`), leaving each outcome on its record for the workflow to adopt. Deliveries to a
 * webhook that holds them (unhealthy, disabled, resuming) are left to their workflows, which park them.
 * A retried page (the worker died half way) does not POST again where an attempt was recorded.
 *
 * `preAttempts` false (HERALD_SPEEDUP_FANOUT_PRE_ATTEMPTS=off, the plain path): the page only records
 * the deliveries, and their workflows make every attempt.
 */
export function createFanOutAttemptPage(deps: AttemptDeps, preAttempts = true) {
  const { store } = deps;
  return async function fanOutAttemptPage(input: FanOutAttemptPageInput): Promise<FanOutAttemptPageResult> {
    const { accountId, eventId, after, pageSize, attemptTimeoutMs } = input;
    const event = await store.events.get(accountId, eventId);
    if (!event) return { attempted: 0, webhookIds: [], next: null };
    const found = await store.webhooks.matching(event, isAccountLevel(event), { after: after ?? undefined, limit: pageSize + 1 });
    // The whole documents, with their secrets: they sign here and go no further than this process. One
    // read by `_id` each (FerretDB scans for anything else); a webhook deleted since matching drops out.
    const page = (await Promise.all(found.slice(0, pageSize).map((match) => store.webhooks.byId(match._id)))).filter(
      (webhook) => webhook !== null,
    );
    const now = new Date();
    if (!preAttempts) {
      await store.deliveries.insertNew(page.map((webhook) => deliveryRecord(event, webhook, now)));
      return { attempted: 0, webhookIds: page.map((webhook) => webhook._id), next: nextAfter(found, pageSize) };
    }
    // The claim (`handoff: null`, see first-attempts.ts): the first attempt is this fan-out's to make. Not
    // on a delivery to a webhook that holds it (unhealthy, disabled, resuming): its workflow parks it.
    const existing = await store.deliveries.insertNew(
      page.map((webhook) => ({ ...deliveryRecord(event, webhook, now), ...(holdsDelivery(webhook, false) ? {} : { handoff: null }) })),
    );
    const ours = await Promise.all(
      page.map(async (webhook) => {
        const id = deliveryId(webhook._id, event.id);
        if (!existing.has(id)) return true;
        // Already there: this page's earlier try (POST only if it recorded no attempt) or another dispatch
        // of the event (no handoff field: its own workflow attempts, not this fan-out).
        const record = await store.deliveries.byId(id);
        return record?.handoff === null && record.attempts.length === 0;
      }),
    );
    const toSend = page.filter((webhook, i) => ours[i] && !holdsDelivery(webhook, false));
    // The outcome is left for the workflows started afterwards (none has adopted it yet).
    const leaveOutcome = async () => ({ run: null });
    const body = buildEnvelope(event);
    let attempted = 0;
    await forEachBounded(toSend, FANOUT_ATTEMPT_CONCURRENCY, async (webhook) => {
      // A webhook (or account) with its cap of attempts in flight here is left to its delivery workflow,
      // which defers (see in-flight-limit.ts): the claim is cleared, so the workflow attempts.
      const release = deps.inFlight?.tryAcquire(webhook._id, webhook.account_id);
      if (deps.inFlight && !release) return store.deliveries.clearHandoff(deliveryId(webhook._id, event.id));
      attempted++;
      try {
        await sendAttempt(deps, {
          deliveryId: deliveryId(webhook._id, event.id),
          attempt: 1,
          timeoutMs: attemptTimeoutMs,
          webhook,
          event,
          body,
          handOff: leaveOutcome,
        });
      } finally {
        release?.();
      }
    });
    return {
      attempted,
      webhookIds: page.map((webhook) => webhook._id),
      next: nextAfter(found, pageSize),
    };
  };
}

function nextAfter(found: { _id: string }[], pageSize: number): string | null {
  return found.length > pageSize ? (found[pageSize - 1]?._id ?? null) : null;
}

export interface FanOutStartPageInput {
  accountId: string;
  eventId: string;
  /** One attempt page's webhooks. */
  webhookIds: string[];
}

/**
 * Starts the delivery workflows of one attempt page, marked as pre-attempted (unless pre-attempts are
 * switched off). A retried page starts the
 * same ids again: harmless by construction.
 */
export function createFanOutStartPage(dispatch: DispatchDeps) {
  const { store } = dispatch;
  return async function fanOutStartPage({ accountId, eventId, webhookIds }: FanOutStartPageInput): Promise<{ started: number }> {
    const event = await store.events.get(accountId, eventId);
    // Deleted by retention meanwhile (and its deliveries with it): nothing left to deliver.
    if (!event) return { started: 0 };
    const webhooks = await Promise.all(webhookIds.map((id) => store.webhooks.byId(id)));
    let started = 0;
    await Promise.all(
      webhookIds.map(async (webhookId, i) => {
        const webhook = webhooks[i];
        if (webhook) {
          started++;
          return startDelivery(dispatch, event, webhook, 'REJECT_DUPLICATE', { preAttempted: dispatch.fanOutPreAttempts !== false });
        }
        // Deleted since its first attempt: what its workflow would have done (unless the attempt settled it).
        const id = deliveryId(webhookId, event.id);
        const record = await store.deliveries.byId(id);
        if (record && (record.status === 'pending' || record.status === 'retrying')) {
          await store.deliveries.setStatus(id, 'cancelled');
          dispatch.metrics?.deliveryCompleted('cancelled');
        }
      }),
    );
    return { started };
  };
}
