// Stored documents → the API's wire shape (snake_case, ISO-8601 dates, no secrets), and the zod schemas
// of those shapes: they document the responses in the OpenAPI document, and typing each view by its
// schema keeps the two in step at compile time.
import { z } from 'zod';
import type { EventTypeDefinition } from '../domain/event-catalogue.js';
import type {
  AccountDoc,
  ApiKeyDoc,
  AttemptDoc,
  DeliveryDoc,
  EventDoc,
  ProducerKeyDoc,
  WebhookDoc,
  WebhookStatsDoc,
} from '../store/documents.js';
import { NO_STATS } from '../store/webhook-stats-repo.js';
import { DeliveryStatusSchema, WebhookStatusSchema } from './schemas.js';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const Timestamp = z.iso.datetime();
/** A name from the event catalogue (`GET /v1/event-types`). */
const EventTypeName = z.string();

export const AccountView = z.object({
  id: z.string(),
  name: z.string(),
  external_id: z.string().nullable().describe('The platform’s own id for the account, when given at creation.'),
  created_at: Timestamp,
});

export function accountView(a: AccountDoc): z.infer<typeof AccountView> {
  return { id: a._id, name: a.name, external_id: a.external_id ?? null, created_at: a.created_at.toISOString() };
}

/** Accounts newest first (or oldest first with `ascending`), a page at a time. */
export const AccountPageView = z.object({
  limit: z.number().int(),
  next_page_token: z.string().nullable().describe('Pass as page_token for the next page; null on the last page.'),
  accounts: z.array(AccountView),
});

export const ProducerKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to tell keys apart.'),
  created_at: Timestamp,
  revoked_at: Timestamp.nullable(),
});

export function producerKeyView(k: ProducerKeyDoc): z.infer<typeof ProducerKeyView> {
  return { id: k._id, name: k.name, prefix: k.prefix, created_at: k.created_at.toISOString(), revoked_at: iso(k.revoked_at) };
}

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to tell keys apart.'),
  created_at: Timestamp,
  revoked_at: Timestamp.nullable(),
});

export function apiKeyView(k: ApiKeyDoc): z.infer<typeof ApiKeyView> {
  return { id: k._id, name: k.name, prefix: k.prefix, created_at: k.created_at.toISOString(), revoked_at: iso(k.revoked_at) };
}

export const WebhookView = z.object({
  id: z.string(),
  account_id: z.string(),
  url: z.string(),
  name: z.string().nullable(),
  event_types: z.array(EventTypeName),
  inbox_ids: z.array(z.string()),
  pod_ids: z.array(z.string()),
  client_id: z.string().nullable(),
  propagate_trace: z.boolean().describe('W3C trace context is sent to the receiver.'),
  temporary: z.boolean().describe('A `herald listen` session’s webhook: relayed to the CLI, outside the webhook limit, never unhealthy.'),
  status: WebhookStatusSchema,
  enabled: z.boolean(),
  failure_count: z.number().int().describe('Consecutive failed attempts.'),
  last_delivered_at: Timestamp.nullable(),
  last_failure_at: Timestamp.nullable(),
  last_error: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A webhook with its delivery statistics (kept in a document of their own; null before the first attempt). */
export function webhookView(w: WebhookDoc, stats: WebhookStatsDoc | null): z.infer<typeof WebhookView> {
  const s = stats ?? NO_STATS;
  return {
    id: w._id,
    account_id: w.account_id,
    url: w.url,
    name: w.name,
    event_types: w.event_types,
    inbox_ids: w.inbox_ids,
    pod_ids: w.pod_ids,
    client_id: w.client_id,
    propagate_trace: w.propagate_trace ?? false,
    temporary: w.listen_session !== undefined,
    status: w.status,
    enabled: w.enabled,
    failure_count: s.failure_count,
    last_delivered_at: iso(s.last_delivered_at),
    last_failure_at: iso(s.last_failure_at),
    last_error: s.last_error,
    created_at: w.created_at.toISOString(),
    updated_at: w.updated_at.toISOString(),
  };
}

/** A webhook with its signing secret: the answer of create and rotate_secret only. */
export const WebhookWithSecretView = WebhookView.extend({
  secret: z
    .string()
    .optional()
    .describe(
      'The signing secret (whsec_…). Shown here only; absent when create returned an existing webhook, and on an Idempotency-Key retry once the webhook was deleted or its secret rotated.',
    ),
});

export const EventView = z.object({
  id: z.string(),
  type: EventTypeName,
  account_id: z.string(),
  inbox_id: z.string().nullable(),
  pod_id: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  occurred_at: z.string().nullable().describe('When the event happened, as published: the envelope’s `timestamp` (else `created_at`).'),
  created_at: Timestamp,
});

export function eventView(e: EventDoc): z.infer<typeof EventView> {
  return {
    id: e.id,
    type: e.type,
    account_id: e.account_id,
    inbox_id: e.inbox_id,
    pod_id: e.pod_id,
    data: e.data,
    occurred_at: e.occurred_at ?? null,
    created_at: e.created_at.toISOString(),
  };
}

/** Where the list stops; pass it back as `page_token` for the next page. */
const NextPageToken = z.string().nullable().describe('Pass as page_token for the next page; null on the last page.');

/** Events newest first (or oldest first with `ascending`), a page at a time. */
export const EventPageView = z.object({ limit: z.number().int(), next_page_token: NextPageToken, events: z.array(EventView) });

export const AttemptView = z.object({
  attempt: z.number().int().describe('1 for the first attempt; numbers continue across replays.'),
  started_at: Timestamp,
  duration_ms: z.number().int(),
  status_code: z.number().int().nullable().describe('null when no HTTP answer came (timeout, network error, refused address).'),
  response_body: z.string().nullable().describe('The first 16 KiB of the answer.'),
  error: z.string().nullable(),
  outcome: z.enum(['success', 'retry', 'gone']).describe('gone: the endpoint answered 410; nothing more is sent.'),
  trace_id: z.string().nullable().describe("The attempt's OpenTelemetry trace (null when it was not traced): docs/observability.md."),
});

/** `attempt` is the record's position: attempts are only ever appended, one at a time per delivery. */
function attemptView(a: AttemptDoc, attempt: number): z.infer<typeof AttemptView> {
  return {
    attempt,
    started_at: a.started_at.toISOString(),
    duration_ms: a.duration_ms,
    status_code: a.status_code,
    response_body: a.response_body,
    error: a.error,
    outcome: a.outcome,
    trace_id: a.trace_id ?? null,
  };
}

function attemptSummary(a: AttemptDoc, attempt: number) {
  const { response_body: _body, ...summary } = attemptView(a, attempt);
  return summary;
}

const deliveryFields = {
  id: z.string(),
  account_id: z.string(),
  webhook_id: z.string(),
  event_id: z.string(),
  event_type: EventTypeName,
  status: DeliveryStatusSchema,
  next_attempt_at: Timestamp.nullable().describe('When the next attempt is due, while retrying.'),
  workflow_id: z.string().describe('The delivery workflow’s id in Temporal.'),
  created_at: Timestamp,
  updated_at: Timestamp,
};

/** A delivery in a list: its attempts summarised (response bodies can be 16 KiB each). */
export const DeliverySummaryView = z.object({
  ...deliveryFields,
  attempt_count: z.number().int(),
  last_attempt: AttemptView.omit({ response_body: true }).nullable(),
});

function deliveryFieldsView(d: DeliveryDoc) {
  return {
    id: d._id,
    account_id: d.account_id,
    webhook_id: d.webhook_id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    next_attempt_at: iso(d.next_attempt_at),
    workflow_id: d.workflow_id,
    created_at: d.created_at.toISOString(),
    updated_at: d.updated_at.toISOString(),
  };
}

export function deliverySummaryView(d: DeliveryDoc): z.infer<typeof DeliverySummaryView> {
  const last = d.attempts.at(-1);
  return {
    ...deliveryFieldsView(d),
    attempt_count: d.attempts.length,
    last_attempt: last ? attemptSummary(last, d.attempts.length) : null,
  };
}

/** Deliveries newest first (or oldest first with `ascending`), a page at a time. */
export const DeliveryPageView = z.object({
  limit: z.number().int(),
  next_page_token: NextPageToken,
  deliveries: z.array(DeliverySummaryView),
});

/** The outcome of `webhooks.test`: one signed POST, made while the caller waits. */
export const TestDeliveryView = z.object({
  event_id: z.string().describe('The test event’s id (its `webhook-id` header is derived from it and the account).'),
  success: z.boolean().describe('The endpoint answered 2xx.'),
  status_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  response_body: z.string().nullable().describe('The first 16 KiB of the answer.'),
  error: z.string().nullable(),
});

export interface TemporalLink {
  uiUrl: string | undefined;
  namespace: string;
  /** The current run, when Temporal still has the workflow. */
  runId: string | null;
}

/** One delivery with every attempt, its workflow's current run and a link to it in the Temporal UI. */
export const DeliveryView = z.object({
  ...deliveryFields,
  attempts: z.array(AttemptView),
  run_id: z.string().nullable().describe('The workflow’s current run; null when Temporal no longer keeps it.'),
  temporal_ui_url: z.string().nullable().describe('The run in the Temporal UI (HERALD_TEMPORAL_UI_URL); null when not configured.'),
});

export function deliveryView(d: DeliveryDoc, temporal: TemporalLink): z.infer<typeof DeliveryView> {
  const workflowPath = `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(d.workflow_id)}`;
  return {
    ...deliveryFieldsView(d),
    attempts: d.attempts.map((a, i) => attemptView(a, i + 1)),
    run_id: temporal.runId,
    temporal_ui_url: temporal.uiUrl
      ? temporal.runId
        ? `${workflowPath}/${encodeURIComponent(temporal.runId)}/history`
        : workflowPath
      : null,
  };
}

/** The answer of `deliveries.replay`. */
export const ReplayView = z.object({
  id: z.string().describe('The delivery.'),
  workflow_id: z.string(),
  run_id: z.string().describe('The new run, which starts the retry schedule again.'),
  status: z.literal('pending'),
});

/** The answer of `deliveries.recover`: the work runs on in a workflow. */
export const RecoveryView = z.object({
  recovery_id: z.string().describe('Pass to recover_status (GET /v1/recoveries/{recovery_id}) for progress.'),
  webhook_id: z.string(),
  since: Timestamp,
  until: Timestamp.describe('Exclusive; the time of the request when not given.'),
  total: z.number().int().describe('Failed deliveries in the window, at most HERALD_RECOVER_MAX.'),
});

/** The progress of a recovery. */
export const RecoveryStatusView = RecoveryView.extend({
  done: z.number().int().describe('Replayed: their workflows deliver again.'),
  failed: z.number().int().describe('Could not be replayed (the event or webhook is gone).'),
  finished: z.boolean(),
});

export const EventTypeView = z.object({
  type: z.string().describe('The type’s name (dotted, lowercase).'),
  description: z.string(),
  scope: z.enum(['message', 'account']).describe('account: delivered regardless of a webhook’s inbox and pod scope.'),
  schema: z
    .record(z.string(), z.unknown())
    .describe('JSON Schema (draft 2020-12) of the type’s fields, which receivers find next to the envelope’s routing fields.'),
  source: z.enum(['daimon', 'agentmail', 'sendmux', 'herald', 'custom']).describe('Who documents it; custom: added by an operator.'),
  built_in: z.boolean().describe('Built-in types cannot be updated or archived.'),
  emitted_by_herald: z.boolean().describe('Herald emits it itself.'),
  publishable: z.boolean().describe('Producers may publish it (`events.publish`).'),
  archived: z.boolean().describe('Archived: no longer subscribable or publishable; events already accepted are still delivered.'),
  archived_at: Timestamp.nullable(),
  example: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('An example webhook body of the type (envelope and the type’s fields, which match `schema`); null where none.'),
});

export function eventTypeView(t: EventTypeDefinition): z.infer<typeof EventTypeView> {
  return {
    type: t.name,
    description: t.description,
    scope: t.scope,
    schema: t.schema,
    source: t.source,
    built_in: t.built_in,
    emitted_by_herald: t.emitted_by_herald,
    publishable: t.publishable && t.archived_at === null,
    archived: t.archived_at !== null,
    archived_at: iso(t.archived_at),
    example: t.example,
  };
}
