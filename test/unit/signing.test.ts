import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/client/verify-webhook.js';
import { webhookMessageId } from '../../src/domain/ids.js';
import { eventSignedHeaders, generateSecret, sign, signedHeaders, verifySignature } from '../../src/domain/signing.js';

const now = Math.floor(Date.now() / 1000);
const body = JSON.stringify({ event: 'message.received', event_id: 'evt_1', message: { id: 'm1', subject: 'héllo ✉' } });

describe('Standard Webhooks signing', () => {
  it('produces signatures the reference standardwebhooks library verifies', () => {
    for (let i = 0; i < 20; i++) {
      const secret = generateSecret(24 + i * 2);
      const headers = signedHeaders([secret], `evt_${i}`, now, body);
      expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    }
  });

  it('matches the reference library byte for byte', () => {
    const secret = generateSecret();
    const reference = new Webhook(secret).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(now * 1000), body);
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', now, body)).toBe(reference);
  });

  it('signs with every valid secret during a rotation, and either verifies', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const headers = signedHeaders([oldSecret, newSecret], 'evt_rot', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, { ...headers })).not.toThrow();
    expect(verifyWebhook(body, { ...headers }, newSecret)).toEqual({ ok: true });
  });

  it('refuses a wrong secret, a tampered body and a stale timestamp', () => {
    const secret = generateSecret();
    const headers = signedHeaders([secret], 'evt_x', now, body);
    expect(verifySignature(generateSecret(), body, headers, now)).toEqual({ ok: false, error: 'invalid_signature' });
    expect(verifySignature(secret, `${body} `, headers, now)).toEqual({ ok: false, error: 'invalid_signature' });
    expect(verifySignature(secret, body, headers, now + 301)).toEqual({ ok: false, error: 'timestamp_out_of_tolerance' });
    expect(verifySignature(secret, body, { ...headers, 'webhook-id': undefined }, now)).toEqual({ ok: false, error: 'missing_headers' });
  });

  it('verifies what the reference library signs (receivers can mix libraries)', () => {
    const secret = generateSecret();
    const signature = new Webhook(secret).sign('evt_ref', new Date(now * 1000), body);
    const headers = new Headers({ 'webhook-id': 'evt_ref', 'webhook-timestamp': String(now), 'webhook-signature': signature });
    expect(verifyWebhook(body, headers, secret, now)).toEqual({ ok: true });
  });

  it('derives the webhook-id from (account, event id): stable, unique across accounts, no "." in it', () => {
    const id = webhookMessageId('acc_1', 'order.42');
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{26}$/);
    expect(webhookMessageId('acc_1', 'order.42')).toBe(id);
    expect(webhookMessageId('acc_2', 'order.42')).not.toBe(id);
    // No split of the same characters between account and event collides.
    expect(webhookMessageId('acc_1o', 'rder.42')).not.toBe(id);
    const secret = generateSecret();
    const headers = eventSignedHeaders([secret], { id: 'order.42', account_id: 'acc_1' }, now, body);
    expect(headers['webhook-id']).toBe(id);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });
});
