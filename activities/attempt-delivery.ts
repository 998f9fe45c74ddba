// One delivery attempt: load (the secret never leaves this process), sign, POST, classify, record.
import { classifyAttempt } from '../src/domain/classify-response.js';
import type { AttemptInput, AttemptOutcome } from '../src/domain/delivery.js';
import { buildEnvelope } from '../src/domain/envelope.js';
import { nextRetryDelay, parseRetryAfter, type RetryPolicy } from '../src/domain/retry-schedule.js';
import { signedHeaders } from '../src/domain/signing.js';
import type { AttemptDoc } from '../src/store/documents.js';
import type { Store } from '../src/store/index.js';
import { validSecrets } from '../src/store/webhooks-repo.js';
import { type DeliveryHealthDeps, parkIfHeld, recordHealth } from './delivery-health.js';
import type { HttpSender } from './http-post.js';

export interface AttemptDeps {
  store: Store;
  sender: HttpSender;
  retryPolicy: RetryPolicy;
  health: DeliveryHealthDeps;
  now?: () => Date;
}

const ERROR_TEXT_LIMIT = 1_000;

export function createAttemptDelivery({ store, sender, retryPolicy, health, now = () => new Date() }: AttemptDeps) {
  return async function attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
    const { deliveryId, attempt, timeoutMs, released = false } = input;
    // Reads by `_id`, side by side (the event usually not even that: see recent-events.ts); the delivery
    // record itself is only written, its ids are in the input.
    const [webhook, event] = await Promise.all([
      store.webhooks.byId(input.webhookId),
      store.events.forDelivery(input.accountId, input.eventId),
    ]);
    if (!webhook || !event) {
      await store.deliveries.setStatus(deliveryId, 'cancelled');
      return { result: 'cancelled' };
    }
    // An unhealthy or disabled webhook's receiver gets no request: the delivery waits to be released.
    const parked = await parkIfHeld(store, health, deliveryId, webhook, released);
    if (parked) return parked;

    const startedAt = now();
    const body = buildEnvelope(event);
    const headers = signedHeaders(validSecrets(webhook, startedAt), event.id, Math.floor(startedAt.getTime() / 1000), body);
    const response = await sender.post(webhook.url, { ...headers }, body, timeoutMs);
    const kind = classifyAttempt(response.statusCode === null ? { error: 'network' } : { statusCode: response.statusCode });
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
    };

    let outcome: AttemptOutcome;
    if (kind === 'success') {
      outcome = { result: 'succeeded', statusCode: response.statusCode ?? 0 };
      await store.deliveries.recordAttempt(deliveryId, record, 'succeeded', null);
    } else if (kind === 'gone') {
      outcome = { result: 'gone' };
      await store.deliveries.recordAttempt(deliveryId, record, 'failed', null);
    } else {
      const delayMs = nextRetryDelay(retryPolicy, attempt, Math.random, parseRetryAfter(response.retryAfter, startedAt.getTime()));
      if (delayMs === undefined) {
        outcome = { result: 'failed', statusCode: response.statusCode, error: errorText };
        await store.deliveries.recordAttempt(deliveryId, record, 'failed', null);
      } else {
        outcome = { result: 'retry', delayMs, statusCode: response.statusCode, error: errorText };
        await store.deliveries.recordAttempt(deliveryId, record, 'retrying', new Date(startedAt.getTime() + delayMs));
      }
    }
    await recordHealth(store, health, webhook, kind, errorText, startedAt);
    return outcome;
  };
}
