// daimon.email's webhook API (seeds/daimon-create-webhook.txt, daimon-webhook-events.txt) at
// /compat/daimon/v1/webhooks, mapped onto Herald's webhooks.* procedures. daimon documents the create
// answer (`{ result, next_steps }`); list, get, PATCH, delete, enable and test answer in the same style
// (docs/compat.md). Its single `inbox_id` is a one-element `inbox_ids` (null: every inbox).
import { z } from 'zod';
import type { Config } from '../../config/env.js';
import type { RestError } from '../rest.js';
import { reasonOf } from '../trpc.js';
import type { TestDeliveryView, WebhookView } from '../views.js';
import { errorName, type Face, type FaceRoute, messageOf, parseInput, queryInt, renamedFieldErrors, statusOf } from './face-kit.js';

export const DAIMON_PREFIX = '/compat/daimon';
const base = `${DAIMON_PREFIX}/v1/webhooks`;

type Webhook = z.infer<typeof WebhookView>;

// Request shapes: daimon's names; the values are checked by Herald's own schemas behind them.
export const DaimonCreateRequest = z.strictObject({
  url: z.string().describe('Where events are delivered: https (http only with HERALD_ALLOW_PRIVATE_URLS).'),
  events: z.array(z.string()).describe('Event types to subscribe to; at least one.'),
  inbox_id: z.string().nullable().optional().describe('Only events of this inbox; null or omitted: every inbox of the account.'),
});

export const DaimonUpdateRequest = z.strictObject({
  url: DaimonCreateRequest.shape.url.optional(),
  events: DaimonCreateRequest.shape.events.optional().describe('Replaces the list.'),
  inbox_id: DaimonCreateRequest.shape.inbox_id,
  status: z
    .enum(['active', 'disabled'])
    .optional()
    .describe('disabled: nothing is delivered (deliveries are parked); active: enabled again.'),
});

/** enable and test take no body (an empty one or `{}`). */
const NoBody = z.strictObject({});

export const DaimonListQuery = z.strictObject({
  limit: queryInt.optional(),
  page_token: z.string().optional(),
  status: z.string().optional(),
  inbox_id: z.string().optional(),
});

// Answer shapes (for the OpenAPI document; the functions below are typed by them).
export const DaimonWebhook = z
  .object({
    id: z.string().describe('wh_…'),
    account_id: z.string(),
    inbox_id: z
      .string()
      .nullable()
      .describe('The inbox this webhook is scoped to (the first, when it has several), or null for account-wide.'),
    url: z.string(),
    secret: z.string().optional().describe('The signing secret (whsec_…): on create only.'),
    events: z.array(z.string()),
    status: z.enum(['active', 'unhealthy', 'disabled']),
    last_delivered_at: z.string().nullable(),
    failure_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'DaimonWebhook' });

export const DaimonWebhookAnswer = z
  .object({ result: DaimonWebhook, next_steps: z.array(z.string()).optional() })
  .meta({ id: 'DaimonWebhookAnswer' });
export const DaimonListAnswer = z
  .object({
    result: z.array(DaimonWebhook),
    next_page_token: z.string().nullable().describe('Pass as page_token for the next page; null on the last page.'),
    next_steps: z.array(z.string()).optional(),
  })
  .meta({ id: 'DaimonWebhookList' });
export const DaimonDeleteAnswer = z
  .object({ result: z.object({ id: z.string(), deleted: z.literal(true) }) })
  .meta({ id: 'DaimonDeleted' });
export const DaimonTestAnswer = z
  .object({
    result: z.object({
      event_id: z.string(),
      event: z.literal('message.received'),
      success: z.boolean(),
      status_code: z.number().int().nullable(),
      duration_ms: z.number().int(),
      response_body: z.string().nullable(),
      error: z.string().nullable(),
    }),
  })
  .meta({ id: 'DaimonTestResult' });

function daimonWebhook(w: Webhook, secret?: string): z.infer<typeof DaimonWebhook> {
  return {
    id: w.id,
    account_id: w.account_id,
    inbox_id: w.inbox_ids[0] ?? null,
    url: w.url,
    ...(secret === undefined ? {} : { secret }),
    events: w.event_types,
    status: w.status,
    last_delivered_at: w.last_delivered_at,
    failure_count: w.failure_count,
    created_at: w.created_at,
    updated_at: w.updated_at,
  };
}

/** daimon has one inbox per webhook; a webhook made with several (through /v1) says so. */
function scopeNotes(w: Webhook): string[] {
  const notes: string[] = [];
  if (w.inbox_ids.length > 1) {
    notes.push(
      `Webhook ${w.id} is scoped to ${w.inbox_ids.length} inboxes (${w.inbox_ids.join(', ')}); inbox_id shows the first. See GET /v1/webhooks/${w.id} for all.`,
    );
  }
  if (w.pod_ids.length > 0) notes.push(`Webhook ${w.id} is also scoped to pods (${w.pod_ids.join(', ')}); see GET /v1/webhooks/${w.id}.`);
  return notes;
}

function single(w: Webhook, extra: string[] = []) {
  const next_steps = [...scopeNotes(w), ...extra];
  return { body: { result: daimonWebhook(w), ...(next_steps.length ? { next_steps } : {}) } satisfies z.infer<typeof DaimonWebhookAnswer> };
}

/** Herald's field names → daimon's, so a 400 names what the caller sent. */
const RENAMES = {
  'inbox_ids.0': 'inbox_id',
  'add_inbox_ids.0': 'inbox_id',
  event_types: 'events',
  inbox_ids: 'inbox_id',
  add_inbox_ids: 'inbox_id',
  remove_inbox_ids: 'inbox_id',
  enabled: 'status',
};

export function daimonFace(config: Config): Face {
  const timeoutSeconds = Math.ceil(config.delivery.timeoutMs / 1000);
  const routes: FaceRoute[] = [
    {
      method: 'POST',
      path: base,
      async handle(r) {
        const input = parseInput(DaimonCreateRequest, await r.body());
        const { call } = await r.herald();
        const created = await call.webhooks.create({
          url: input.url,
          event_types: input.events as never,
          inbox_ids: input.inbox_id == null ? [] : [input.inbox_id],
        });
        return {
          body: {
            result: daimonWebhook(created, created.secret),
            next_steps: [
              'Save the secret to verify webhook signatures',
              `Implement webhook handler at ${created.url}`,
              `Return HTTP 200 within ${timeoutSeconds} seconds to acknowledge receipt`,
              'Verify the webhook-id, webhook-timestamp and webhook-signature headers with any Standard Webhooks library (https://www.standardwebhooks.com)',
              ...scopeNotes(created),
            ],
          } satisfies z.infer<typeof DaimonWebhookAnswer>,
        };
      },
    },
    {
      method: 'GET',
      path: base,
      async handle(r) {
        const q = parseInput(DaimonListQuery, r.query);
        const { call } = await r.herald();
        const page = await call.webhooks.list({
          ...(q.limit === undefined ? {} : { limit: q.limit }),
          ...(q.page_token === undefined ? {} : { page_token: q.page_token }),
          ...(q.status === undefined ? {} : { status: q.status as never }),
          ...(q.inbox_id === undefined ? {} : { inbox_id: q.inbox_id }),
        });
        const next_steps = page.webhooks.flatMap(scopeNotes);
        return {
          body: {
            result: page.webhooks.map((w) => daimonWebhook(w)),
            next_page_token: page.next_page_token,
            ...(next_steps.length ? { next_steps } : {}),
          } satisfies z.infer<typeof DaimonListAnswer>,
        };
      },
    },
    {
      method: 'GET',
      path: `${base}/{webhook_id}`,
      async handle(r) {
        const { call } = await r.herald();
        return single(await call.webhooks.get({ webhook_id: r.params.webhook_id ?? '' }));
      },
    },
    {
      method: 'PATCH',
      path: `${base}/{webhook_id}`,
      async handle(r) {
        const input = parseInput(DaimonUpdateRequest, await r.body());
        const webhook_id = r.params.webhook_id ?? '';
        const { call } = await r.herald();
        // daimon sets the one inbox; Herald adds and removes: the difference from the current scope.
        let scope = {};
        if (input.inbox_id !== undefined) {
          const current = (await call.webhooks.get({ webhook_id })).inbox_ids;
          const wanted = input.inbox_id === null ? [] : [input.inbox_id];
          scope = {
            add_inbox_ids: wanted.filter((id) => !current.includes(id)),
            remove_inbox_ids: current.filter((id) => !wanted.includes(id)),
          };
        }
        const updated = await call.webhooks.update({
          webhook_id,
          ...(input.url === undefined ? {} : { url: input.url }),
          ...(input.events === undefined ? {} : { event_types: input.events as never }),
          ...(input.status === undefined ? {} : { enabled: input.status === 'active' }),
          ...scope,
        });
        return single(updated);
      },
    },
    {
      method: 'DELETE',
      path: `${base}/{webhook_id}`,
      async handle(r) {
        const { call } = await r.herald();
        const deleted = await call.webhooks.delete({ webhook_id: r.params.webhook_id ?? '' });
        return { body: { result: { id: deleted.id, deleted: true } } satisfies z.infer<typeof DaimonDeleteAnswer> };
      },
    },
    {
      method: 'POST',
      path: `${base}/{webhook_id}/enable`,
      async handle(r) {
        parseInput(NoBody, await r.body());
        const { call } = await r.herald();
        const { resumed_deliveries, ...enabled } = await call.webhooks.enable({ webhook_id: r.params.webhook_id ?? '' });
        return single(enabled, resumed_deliveries > 0 ? [`${resumed_deliveries} parked deliveries resumed`] : []);
      },
    },
    {
      method: 'POST',
      path: `${base}/{webhook_id}/test`,
      async handle(r) {
        parseInput(NoBody, await r.body());
        const { call } = await r.herald();
        const outcome: z.infer<typeof TestDeliveryView> = await call.webhooks.test({
          webhook_id: r.params.webhook_id ?? '',
          event_type: 'message.received',
        });
        return { body: { result: { event: 'message.received', ...outcome } } satisfies z.infer<typeof DaimonTestAnswer> };
      },
    },
  ];
  return {
    prefix: DAIMON_PREFIX,
    routes,
    // daimon documents its error statuses (400, 401, 404) but not their bodies: Herald's REST error body.
    error(error) {
      const errors = renamedFieldErrors(error, RENAMES);
      return {
        status: statusOf(error),
        body: {
          name: errorName(error),
          message: messageOf(error, errors),
          ...(reasonOf(error) ? { reason: reasonOf(error) } : {}),
          ...(errors ? { errors } : {}),
        } satisfies z.infer<typeof RestError>,
      };
    },
  };
}
