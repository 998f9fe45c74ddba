// Input schemas of every procedure. Strict objects: an unknown field is an error, not silently ignored.
// The same schemas validate the tRPC face and the REST face, and generate the OpenAPI document.
import { z } from 'zod';
import { EVENT_TYPE_NAME_MAX, EVENT_TYPE_NAME_PATTERN } from '../domain/event-catalogue.js';
import { MAX_SCHEMA_BYTES, schemaProblem } from '../domain/event-schema.js';
import { EVENT_ID_PATTERN } from '../domain/ids.js';
import { findUnstorableJson } from '../domain/storable-json.js';
import type { DeliveryStatus } from '../store/documents.js';
import { TEST_EVENT_TYPES } from './test-samples.js';

/** Inbox and pod ids per webhook; an empty list means the whole account. */
export const MAX_SCOPE_IDS = 10;
export const MAX_GRACE_PERIOD_SECONDS = 7 * 24 * 3600;

const unique = <T>(items: T[]) => new Set(items).size === items.length;

const scopeId = z.string().min(1).max(255);
const scopeIds = z.array(scopeId).max(MAX_SCOPE_IDS).refine(unique, 'must not contain duplicates');
const scopeChanges = z.array(scopeId).max(MAX_SCOPE_IDS).refine(unique, 'must not contain duplicates');
/** A type's name; which names exist is the catalogue's to say (checked by the procedures: event-type-check.ts). */
const eventTypeName = z
  .string()
  .max(EVENT_TYPE_NAME_MAX)
  .regex(EVENT_TYPE_NAME_PATTERN, 'must be a dotted lowercase event type name, e.g. message.received');
const eventTypes = z.array(eventTypeName).min(1).refine(unique, 'must not contain duplicates');
const webhookName = z.string().trim().min(1).max(255);

const webhookId = z.string().min(1).max(64);
const eventId = z.string().regex(EVENT_ID_PATTERN, 'must be 1–128 characters of letters, digits, _ . : -');
const isoDate = z.iso.datetime({ offset: true });

export const WebhookIdInput = z.strictObject({ webhook_id: webhookId });

/** `webhooks.test`: which sample to send (the compat faces send daimon's `message.received` and `sendmux.test`). */
export const TestWebhookInput = WebhookIdInput.extend({
  event_type: z
    .enum(TEST_EVENT_TYPES)
    .default('webhook.test')
    .describe('The sample to send: webhook.test, daimon’s documented message.received example, or sendmux.test.'),
});

/** The platform's own id for an account: unique; a producer may name the account by it. */
const externalId = z.string().min(1).max(255);
const accountId = z.string().min(1).max(64);

export const CreateAccountInput = z.strictObject({
  name: z.string().trim().min(1).max(255),
  external_id: externalId.optional().describe('The platform’s own id for the account: unique (a taken one is a 409 external_id_taken).'),
});

export const AccountIdInput = z.strictObject({ account_id: accountId });

export const ListAccountsInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(50),
  page_token: z.string().min(1).max(200).optional().describe('`next_page_token` of the previous page.'),
  ascending: z.boolean().default(false).describe('Oldest first; the default is newest first.'),
});

export const CreateProducerKeyInput = z.strictObject({ name: z.string().trim().min(1).max(255) });

export const ProducerKeyIdInput = z.strictObject({ producer_key_id: z.string().min(1).max(64) });

export const CreateWebhookInput = z.strictObject({
  url: z.string().min(1).max(2_048).describe('Where Herald POSTs events: https (http only with the development switch).'),
  event_types: eventTypes.describe('Event types to receive, from `GET /v1/event-types`.'),
  inbox_ids: scopeIds.default([]).describe('Only events of these inboxes (message events); empty = every inbox.'),
  pod_ids: scopeIds.default([]).describe('Only events of these pods (message events); empty = every pod.'),
  name: webhookName.optional(),
  client_id: z.string().min(1).max(255).optional().describe('Your id for this webhook: creating it again returns the existing one.'),
  enabled: z.boolean().default(true),
  propagate_trace: z
    .boolean()
    .default(false)
    .describe("Send W3C trace context (`traceparent`) with every POST, when Herald's tracing is on (docs/observability.md)."),
});

export const WebhookStatusSchema = z.enum(['active', 'unhealthy', 'disabled']);

export const ListWebhooksInput = z.strictObject({
  limit: z.number().int().min(1).max(100).default(20),
  page_token: z.string().min(1).max(200).optional().describe('`next_page_token` of the previous page.'),
  ascending: z.boolean().default(false).describe('Oldest first; the default is newest first.'),
  status: WebhookStatusSchema.optional(),
  inbox_id: scopeId.optional().describe('Webhooks whose `inbox_ids` contain this inbox.'),
  event_type: eventTypeName.optional().describe('Webhooks subscribed to this event type.'),
});

export const UpdateWebhookInput = z.strictObject({
  webhook_id: WebhookIdInput.shape.webhook_id,
  url: CreateWebhookInput.shape.url.optional(),
  name: webhookName.nullable().optional().describe('null clears the name.'),
  event_types: eventTypes.optional().describe('Replaces the list.'),
  add_inbox_ids: scopeChanges.optional(),
  remove_inbox_ids: scopeChanges.optional(),
  add_pod_ids: scopeChanges.optional(),
  remove_pod_ids: scopeChanges.optional(),
  enabled: z.boolean().optional(),
  propagate_trace: z.boolean().optional(),
});

export const RotateSecretInput = z.strictObject({
  webhook_id: WebhookIdInput.shape.webhook_id,
  grace_period_seconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_PERIOD_SECONDS)
    .default(24 * 3600)
    .describe('How long the previous secrets stay valid (Herald signs with every valid secret meanwhile).'),
});

export const CreateApiKeyInput = z.strictObject({ name: z.string().trim().min(1).max(255) });

export const ApiKeyIdInput = z.strictObject({ api_key_id: z.string().min(1).max(64) });

/** Admin: a key for an account (e.g. one that revoked its own last usable key). */
export const CreateAccountApiKeyInput = CreateApiKeyInput.extend({ account_id: z.string().min(1).max(64) });

export const PublishEventInput = z.strictObject({
  type: eventTypeName.describe('A publishable type of `GET /v1/event-types`; `data` must match its schema.'),
  inbox_id: scopeId.optional(),
  pod_id: scopeId.optional(),
  data: z.record(z.string(), z.unknown()).superRefine((data, ctx) => {
    const problem = findUnstorableJson(data);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  }),
  event_id: eventId.optional(),
  account_id: accountId
    .optional()
    .describe('The account to publish for: required with a producer key (or account_external_id); an account key may give only its own.'),
  account_external_id: externalId.optional().describe('The account by its external_id, instead of account_id.'),
  occurred_at: isoDate
    .optional()
    .describe('When the event happened: the envelope’s `timestamp`, as sent (default: when Herald stored it).'),
});

/** The `Idempotency-Key` request header of `webhooks.create`, documented in the OpenAPI document. */
export const IdempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Replays the first answer for 24 h; the same key with a different body is a 409 idempotency_conflict.'),
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
  .strictObject({ ...listFields, type: eventTypeName.optional(), inbox_id: scopeId.optional() })
  .refine(ordered, orderedMessage);

export const DELIVERY_STATUSES = [
  'pending',
  'retrying',
  'succeeded',
  'failed',
  'parked',
  'cancelled',
] as const satisfies readonly DeliveryStatus[];

export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);

export const DeliveryIdInput = z.strictObject({ delivery_id: z.string().min(1).max(64) });

export const ListDeliveriesInput = z
  .strictObject({
    ...listFields,
    webhook_id: webhookId.optional(),
    event_id: eventId.optional(),
    status: DeliveryStatusSchema.optional(),
  })
  .refine(ordered, orderedMessage);

export const RecoverInput = z
  .strictObject({ webhook_id: webhookId, since: isoDate, until: isoDate.optional() })
  .refine(ordered, orderedMessage);

export const RecoveryIdInput = z.strictObject({ recovery_id: z.string().regex(/^rcv_[0-9A-HJKMNP-TV-Z]{26}$/, 'is not a recovery id') });

export const EventTypeNameInput = z.strictObject({ name: eventTypeName });

const eventTypeSchema = z
  .record(z.string(), z.unknown())
  .superRefine((schema, ctx) => {
    const problem = schemaProblem(schema);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('JSON Schema (draft 2020-12) of the event’s `data`; omitted: any object.');

/** Checked against the type's schema by the procedure (event-type-example.ts): the schema may change with it. */
const eventTypeExample = z
  .record(z.string(), z.unknown())
  .refine((example) => Buffer.byteLength(JSON.stringify(example)) <= MAX_SCHEMA_BYTES, `must be at most ${MAX_SCHEMA_BYTES} bytes of JSON`)
  .describe(
    'An example webhook body (the envelope’s fields where given, and the type’s fields, which must match the schema), shown in the portal’s event catalogue.',
  );

export const CreateEventTypeInput = z.strictObject({
  name: eventTypeName,
  description: z.string().trim().min(1).max(1_000),
  scope: z.enum(['message', 'account']).describe('account: delivered regardless of a webhook’s inbox and pod scope.'),
  schema: eventTypeSchema.optional(),
  example: eventTypeExample.optional(),
});

export const UpdateEventTypeInput = z.strictObject({
  name: eventTypeName,
  description: CreateEventTypeInput.shape.description.optional(),
  scope: CreateEventTypeInput.shape.scope.optional(),
  schema: eventTypeSchema.nullable().optional().describe('Replaces the schema; null: any object.'),
  example: eventTypeExample.nullable().optional().describe('Replaces the example; null: none.'),
});
