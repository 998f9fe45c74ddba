// Resource ids are a type prefix plus a ULID: sortable by creation time (cursor pagination) and
// unguessable enough that a typo never hits another object.
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';

export type IdPrefix = 'acc' | 'key' | 'pk' | 'wh' | 'evt' | 'dlv' | 'rcv' | 'lsn';

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${ulid(now)}`;
}

/** Matches ids made by `newId(prefix)`. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`);
}

/** Producers may bring their own event ids; they end up in workflow ids and headers, so keep them tame. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * One delivery per (webhook, event). The id is derived, not random, so a retried publish or a
 * reconciler pass computes the same id and can never create a second delivery.
 */
export function deliveryId(webhookId: string, eventId: string): string {
  const digest = createHash('sha256').update(`${webhookId}\u0000${eventId}`).digest('base64url');
  return `dlv_${digest.slice(0, 26)}`;
}

/** Herald's own events get ids derived from what they are about: a retried emission is one event. */
export function derivedEventId(...parts: string[]): string {
  return `evt_${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 26)}`;
}

/**
 * The `webhook-id` of every request carrying an event: event ids are unique per account only (producers
 * choose them), and a receiver serving several accounts deduplicates on this header, so it is derived from
 * both. Deterministic (the same on every retry, replay and process) and free of `.`, which separates the
 * parts of the signed content `id.timestamp.body`. The producer's id stays in the body as `event_id`.
 */
export function webhookMessageId(accountId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${accountId}\u0000${eventId}`).digest('base64url').slice(0, 26)}`;
}
