// Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
// `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed by the secret's decoded bytes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { webhookMessageId } from './ids.js';

const SECRET_PREFIX = 'whsec_';
/** Receivers reject timestamps further than this from their clock (replay protection). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export function generateSecret(bytes = 32): string {
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/** One `v1,<base64>` signature. */
export function sign(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${msgId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Headers for one request; during a secret rotation every valid secret signs (space-separated). */
export function signedHeaders(secrets: readonly string[], msgId: string, timestampSeconds: number, body: string): SignedHeaders {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((secret) => sign(secret, msgId, timestampSeconds, body)).join(' '),
  };
}

/**
 * Headers for a request carrying `event`: the one place that chooses its `webhook-id` (derived from the
 * account and the event id, see webhookMessageId).
 */
export function eventSignedHeaders(
  secrets: readonly string[],
  event: { id: string; account_id: string },
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  return signedHeaders(secrets, webhookMessageId(event.account_id, event.id), timestampSeconds, body);
}

export type VerifyResult = { ok: true } | { ok: false; error: 'missing_headers' | 'timestamp_out_of_tolerance' | 'invalid_signature' };

/**
 * Verifies a received webhook. Accepts the request when any `v1` signature in the header matches;
 * compares in constant time.
 */
export function verifySignature(
  secret: string,
  body: string,
  headers: Partial<Record<keyof SignedHeaders, string | undefined>>,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): VerifyResult {
  const msgId = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!msgId || !timestamp || !signatures) return { ok: false, error: 'missing_headers' };
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { ok: false, error: 'timestamp_out_of_tolerance' };
  }
  const expected = Buffer.from(sign(secret, msgId, ts, body));
  for (const candidate of signatures.split(' ')) {
    const given = Buffer.from(candidate);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, error: 'invalid_signature' };
}
