// Input schemas of every procedure. Strict objects: an unknown field is an error, not silently ignored.
import { z } from 'zod';
import { EventTypeSchema, PUBLISHABLE_EVENT_TYPES } from '../domain/event-catalogue.js';
import { EVENT_ID_PATTERN } from '../domain/ids.js';
import type { DeliveryStatus } from '../store/documents.js';

const scopeId = z.string().min(1).max(255);
const scopeIds = z
  .array(scopeId)
  .max(10)
  .refine((ids) => new Set(ids).size === ids.length, 'must not contain duplicates');

const webhookId = z.string().min(1).max(64);
const eventId = z.string().regex(EVENT_ID_PATTERN, 'must be 1–128 characters of letters, digits, _ . : -');
const isoDate = z.iso.datetime({ offset: true });

export const WebhookIdInput = z.strictObject({ webhook_id: webhookId });

export const CreateAccountInput = z.strictObject({ name: z.string().trim().min(1).max(255) });

export const CreateWebhookInput = z.strictObject({
  url: z.string().min(1).max(2_048),
  event_types: z
    .array(EventTypeSchema)
    .min(1)
    .refine((types) => new Set(types).size === types.length, 'must not contain duplicates'),
  inbox_ids: scopeIds.default([]),
  pod_ids: scopeIds.default([]),
  name: z.string().trim().min(1).max(255).optional(),
  client_id: z.string().min(1).max(255).optional(),
  enabled: z.boolean().default(true),
});

export const PublishEventInput = z.strictObject({
  type: z.enum(PUBLISHABLE_EVENT_TYPES),
  inbox_id: scopeId.optional(),
  pod_id: scopeId.optional(),
  data: z.record(z.string(), z.unknown()),
  event_id: eventId.optional(),
});

/** `until`, when both are given, must come after `since`. */
function ordered(value: { since?: string; until?: string }): boolean {
  return !value.since || !value.until || Date.parse(value.until) > Date.parse(value.since);
}
const orderedMessage = { message: 'must be after since', path: ['until'] };

/** Newest first unless `ascending`; pass `page_token` from the previous answer's `next_page_token`. */
const listFields = {
  limit: z.number().int().min(1).max(100).default(50),
  page_token: z.string().min(1).max(512).optional(),
  ascending: z.boolean().default(false),
  since: isoDate.optional(),
  until: isoDate.optional(),
};

export const EventIdInput = z.strictObject({ event_id: eventId });

export const ListEventsInput = z
  .strictObject({ ...listFields, type: EventTypeSchema.optional(), inbox_id: scopeId.optional() })
  .refine(ordered, orderedMessage);

export const DELIVERY_STATUSES = [
  'pending',
  'retrying',
  'succeeded',
  'failed',
  'parked',
  'cancelled',
] as const satisfies readonly DeliveryStatus[];

export const DeliveryIdInput = z.strictObject({ delivery_id: z.string().min(1).max(64) });

export const ListDeliveriesInput = z
  .strictObject({
    ...listFields,
    webhook_id: webhookId.optional(),
    event_id: eventId.optional(),
    status: z.enum(DELIVERY_STATUSES).optional(),
  })
  .refine(ordered, orderedMessage);

export const RecoverInput = z
  .strictObject({ webhook_id: webhookId, since: isoDate, until: isoDate.optional() })
  .refine(ordered, orderedMessage);

export const RecoveryIdInput = z.strictObject({ recovery_id: z.string().regex(/^rcv_[0-9A-HJKMNP-TV-Z]{26}$/, 'is not a recovery id') });
