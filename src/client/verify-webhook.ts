// For receivers: verify that a request came from Herald. Pass the raw body exactly as received.
import { type VerifyResult, verifySignature } from '../domain/signing.js';

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks the Standard Webhooks signature (any of several, during a secret rotation), in constant time,
 * with a 5-minute timestamp tolerance. Returns `{ ok: true }` or `{ ok: false, error }`.
 */
export function verifyWebhook(body: string, headers: HeaderSource, secret: string, nowSeconds?: number): VerifyResult {
  return verifySignature(
    secret,
    body,
    {
      'webhook-id': header(headers, 'webhook-id'),
      'webhook-timestamp': header(headers, 'webhook-timestamp'),
      'webhook-signature': header(headers, 'webhook-signature'),
    },
    nowSeconds,
  );
}
