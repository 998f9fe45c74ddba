// `webhooks.test`: one signed test POST from the API process (`webhook.test` unless another sample of
// test-samples.ts is asked for), answered with the outcome. It
// goes through the delivery path's own pieces (envelope, signing with every valid secret, the HTTP
// sender with its timeout and connect-time SSRF check) but records nothing: a test does not count
// towards the webhook's health.
import type { z } from 'zod';
import type { HttpSender } from '../../activities/http-post.js';
import { classifyAttempt } from '../domain/classify-response.js';
import { buildEnvelope } from '../domain/envelope.js';
import { newId } from '../domain/ids.js';
import { eventSignedHeaders } from '../domain/signing.js';
import type { WebhookDoc } from '../store/documents.js';
import { validSecrets } from '../store/webhooks-repo.js';
import { type TestSample, testSample } from './test-samples.js';
import type { TestDeliveryView } from './views.js';

export async function sendTestEvent(
  sender: HttpSender,
  webhook: WebhookDoc,
  now = new Date(),
  sample: TestSample = testSample('webhook.test', webhook),
): Promise<z.infer<typeof TestDeliveryView>> {
  const { data } = sample;
  const event = {
    id: newId('evt', now.getTime()),
    type: sample.type,
    account_id: webhook.account_id,
    inbox_id: sample.inbox_id,
    pod_id: null,
    data,
    created_at: now,
  };
  const body = buildEnvelope(event);
  const headers = eventSignedHeaders(validSecrets(webhook, now), event, Math.floor(now.getTime() / 1000), body);
  // Through the webhook's own connection pool, as its deliveries (HERALD_CONNECTIONS_PER_WEBHOOK).
  const response = await sender.post(webhook.url, { ...headers }, body, undefined, { pool: webhook._id });
  const success = response.statusCode !== null && classifyAttempt({ statusCode: response.statusCode }) === 'success';
  return {
    event_id: event.id,
    success,
    status_code: response.statusCode,
    duration_ms: response.durationMs,
    response_body: response.responseBody,
    error: response.error ? response.error.message : success ? null : `HTTP ${response.statusCode}`,
  };
}
