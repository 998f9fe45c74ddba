// Sendmux's webhook API (seeds/sendmux-create-webhook.txt) at /compat/sendmux/api/v1/webhooks, mapped
// onto Herald's webhooks.* procedures: create (with Idempotency-Key, answered 201 with a Location
// header), the GET that Location points to, and POST …/{id}/test (a `sendmux.test` event). Every
// answer is Sendmux's envelope, `{ ok, meta: { request_id }, data | error }`; Sendmux documents no
// error bodies, so errors use the same envelope (docs/compat.md).
import type { IncomingMessage } from 'node:http';
import type { TRPCError } from '@trpc/server';
import { ulid } from 'ulid';
import { z } from 'zod';
import type { FieldError } from '../trpc.js';
import { reasonOf } from '../trpc.js';
import type { TestDeliveryView, WebhookView } from '../views.js';
import { type Face, type FaceRoute, messageOf, parseInput, renamedFieldErrors, statusOf } from './face-kit.js';

export const SENDMUX_PREFIX = '/compat/sendmux';
const base = `${SENDMUX_PREFIX}/api/v1/webhooks`;

type Webhook = z.infer<typeof WebhookView>;

export const SendmuxCreateRequest = z.strictObject({
  url: z.string().describe('HTTPS endpoint that will receive event POSTs (http only with HERALD_ALLOW_PRIVATE_URLS).'),
  event_types: z.array(z.string()).describe('At least one event type.'),
  name: z.string().optional().describe('Optional human-friendly label (1–255 characters).'),
  filters: z
    .strictObject({ mailbox_ids: z.array(z.string()).optional() })
    .optional()
    .describe('Omit, or pass an empty mailbox_ids, to receive matching events for every mailbox.'),
  enabled: z.boolean().optional().describe('Defaults to true.'),
});

const Meta = z.object({ request_id: z.string() });

export const SendmuxWebhook = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    url: z.string(),
    event_types: z.array(z.string()),
    filters: z.object({ mailbox_ids: z.array(z.string()) }),
    enabled: z.boolean(),
    failing: z.boolean().describe('The webhook failed repeatedly and is unhealthy (deliveries are parked until it is enabled again).'),
    created_at: z.string(),
    updated_at: z.string(),
    secret: z.string().optional().describe('The signing secret: in the create answer only.'),
  })
  .meta({ id: 'SendmuxWebhook' });

export const SendmuxWebhookAnswer = z
  .object({ ok: z.literal(true), meta: Meta, data: SendmuxWebhook })
  .meta({ id: 'SendmuxWebhookAnswer' });
export const SendmuxTestAnswer = z
  .object({
    ok: z.literal(true),
    meta: Meta,
    data: z.object({
      event_id: z.string(),
      event_type: z.literal('sendmux.test'),
      success: z.boolean(),
      status_code: z.number().int().nullable(),
      duration_ms: z.number().int(),
      response_body: z.string().nullable(),
      error: z.string().nullable(),
    }),
  })
  .meta({ id: 'SendmuxTestAnswer' });
export const SendmuxError = z
  .object({
    ok: z.literal(false),
    meta: Meta,
    error: z.object({
      code: z.string().describe('validation_error, unauthorized, not_found, idempotency_conflict, …'),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional(),
    }),
  })
  .meta({ id: 'SendmuxError' });

const meta = () => ({ request_id: `req_${ulid().toLowerCase()}` });

function sendmuxWebhook(w: Webhook, secret?: string): z.infer<typeof SendmuxWebhook> {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    event_types: w.event_types,
    filters: { mailbox_ids: w.inbox_ids },
    enabled: w.enabled,
    failing: w.status === 'unhealthy',
    created_at: w.created_at,
    updated_at: w.updated_at,
    ...(secret === undefined ? {} : { secret }),
  };
}

/** Herald's field names → Sendmux's. */
const RENAMES = { inbox_ids: 'filters.mailbox_ids' };

/** Error codes by Herald's error code, where the error carries no reason of its own. */
const CODES: Record<string, string> = {
  BAD_REQUEST: 'validation_error',
  PARSE_ERROR: 'invalid_json',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  METHOD_NOT_SUPPORTED: 'method_not_allowed',
  CONFLICT: 'conflict',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  SERVICE_UNAVAILABLE: 'unavailable',
};

export function sendmuxFace(publicUrl: string | undefined): Face {
  const routes: FaceRoute[] = [
    {
      method: 'POST',
      path: base,
      async handle(r) {
        const input = parseInput(SendmuxCreateRequest, await r.body());
        const { call } = await r.herald();
        // Idempotency-Key reaches webhooks.create through the context, as on /v1.
        const created = await call.webhooks.create({
          url: input.url,
          event_types: input.event_types as never,
          inbox_ids: input.filters?.mailbox_ids ?? [],
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
        });
        const location = `${publicUrl?.replace(/\/$/, '') ?? ''}${base}/${encodeURIComponent(created.id)}`;
        return {
          status: 201,
          headers: { location },
          body: { ok: true, meta: meta(), data: sendmuxWebhook(created, created.secret) } satisfies z.infer<typeof SendmuxWebhookAnswer>,
        };
      },
    },
    {
      method: 'GET',
      path: `${base}/{webhook_id}`,
      async handle(r) {
        const { call } = await r.herald();
        const webhook = await call.webhooks.get({ webhook_id: r.params.webhook_id ?? '' });
        return { body: { ok: true, meta: meta(), data: sendmuxWebhook(webhook) } satisfies z.infer<typeof SendmuxWebhookAnswer> };
      },
    },
    {
      method: 'POST',
      path: `${base}/{webhook_id}/test`,
      async handle(r) {
        const body = await r.body();
        parseInput(z.strictObject({}), body);
        const { call } = await r.herald();
        const outcome: z.infer<typeof TestDeliveryView> = await call.webhooks.test({
          webhook_id: r.params.webhook_id ?? '',
          event_type: 'sendmux.test',
        });
        return {
          body: { ok: true, meta: meta(), data: { event_type: 'sendmux.test', ...outcome } } satisfies z.infer<typeof SendmuxTestAnswer>,
        };
      },
    },
  ];
  return {
    prefix: SENDMUX_PREFIX,
    routes,
    error(error: TRPCError, _req: IncomingMessage) {
      const details: FieldError[] | undefined = renamedFieldErrors(error, RENAMES);
      return {
        status: statusOf(error),
        body: {
          ok: false,
          meta: meta(),
          error: {
            code: reasonOf(error) ?? CODES[error.code] ?? 'internal_error',
            message: messageOf(error, details),
            ...(details ? { details } : {}),
          },
        } satisfies z.infer<typeof SendmuxError>,
      };
    },
  };
}
