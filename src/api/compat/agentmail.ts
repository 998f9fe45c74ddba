// AgentMail's webhook API (seeds/agentmail-webhooks-api.txt, agentmail-create-webhook.txt) at
// /compat/agentmail/v0/webhooks (and /compat/agentmail/agent/v0/webhooks, the path its API page
// shows), mapped onto Herald's webhooks.* procedures. AgentMail returns `secret` on every read, so this
// face, and only this face, reads the webhook's current signing secret after the procedure answered.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Context } from '../context.js';
import { unavailableError } from '../trpc.js';
import type { WebhookView } from '../views.js';
import {
  accountOf,
  errorName,
  type Face,
  type FaceRequest,
  type FaceRoute,
  messageOf,
  parseInput,
  queryBoolean,
  queryInt,
  renamedFieldErrors,
  statusOf,
} from './face-kit.js';

export const AGENTMAIL_PREFIX = '/compat/agentmail';
/** The SDKs call /v0/…; the API page lists /agent/v0/…: both answer. */
const BASES = [`${AGENTMAIL_PREFIX}/v0/webhooks`, `${AGENTMAIL_PREFIX}/agent/v0/webhooks`];

type Webhook = z.infer<typeof WebhookView>;

/** AgentMail's own SDK example repeats an event type; Herald refuses duplicates, so they are merged here. */
const ids = z.array(z.string()).transform((list) => [...new Set(list)]);

export const AgentMailCreateRequest = z.strictObject({
  url: z.string().describe('URL of webhook endpoint.'),
  event_types: ids.describe('Event types for which to send events; at least one.'),
  inbox_ids: ids.optional().describe('Inboxes for which to send events. Maximum 10 per webhook.'),
  pod_ids: ids.optional().describe('Pods for which to send events. Maximum 10 per webhook.'),
  client_id: z.string().optional().describe('Client ID of webhook: creating it again returns the existing webhook.'),
});

export const AgentMailUpdateRequest = z.strictObject({
  add_inbox_ids: ids.optional(),
  remove_inbox_ids: ids.optional(),
  add_pod_ids: ids.optional(),
  remove_pod_ids: ids.optional(),
});

export const AgentMailListQuery = z.strictObject({
  limit: queryInt.optional(),
  page_token: z.string().optional(),
  ascending: queryBoolean.optional(),
});

export const AgentMailWebhook = z
  .object({
    webhook_id: z.string(),
    url: z.string(),
    secret: z.string().describe('Secret for webhook signature verification (on every read, as AgentMail documents).'),
    enabled: z.boolean(),
    updated_at: z.string(),
    created_at: z.string(),
    event_types: z.array(z.string()),
    pod_ids: z.array(z.string()),
    inbox_ids: z.array(z.string()),
    client_id: z.string().optional(),
  })
  .meta({ id: 'AgentMailWebhook' });

export const AgentMailList = z
  .object({
    count: z.number().int().describe('Number of items returned.'),
    limit: z.number().int(),
    next_page_token: z.string().optional().describe('Page token for pagination; absent on the last page.'),
    webhooks: z.array(AgentMailWebhook).describe('Ordered by created_at descending (ascending=true: ascending).'),
  })
  .meta({ id: 'AgentMailWebhookList' });

export const AgentMailValidationError = z
  .object({
    name: z.string(),
    errors: z.record(z.string(), z.array(z.string())).describe('The failing fields, each with its messages.'),
    message: z.string(),
  })
  .meta({ id: 'AgentMailValidationError' });
export const AgentMailError = z.object({ name: z.string(), message: z.string() }).meta({ id: 'AgentMailError' });

function agentmailWebhook(w: Webhook, secret: string): z.infer<typeof AgentMailWebhook> {
  return {
    webhook_id: w.id,
    url: w.url,
    secret,
    enabled: w.enabled,
    updated_at: w.updated_at,
    created_at: w.created_at,
    event_types: w.event_types,
    pod_ids: w.pod_ids,
    inbox_ids: w.inbox_ids,
    ...(w.client_id === null ? {} : { client_id: w.client_id }),
  };
}

/** The current signing secrets of webhooks the procedure has just answered for this account. */
async function secretsOf(ctx: Context, webhooks: Webhook[]): Promise<Map<string, string>> {
  try {
    return await ctx.deps.store.webhooks.currentSecrets(
      accountOf(ctx),
      webhooks.map((w) => w.id),
    );
  } catch (error) {
    throw unavailableError(error) ?? error;
  }
}

async function withSecret(ctx: Context, webhook: Webhook, known?: string) {
  const secret = known ?? (await secretsOf(ctx, [webhook])).get(webhook.id) ?? '';
  return { body: agentmailWebhook(webhook, secret) };
}

function routesAt(base: string): FaceRoute[] {
  const id = (r: FaceRequest) => r.params.webhook_id ?? '';
  return [
    {
      method: 'GET',
      path: base,
      async handle(r) {
        const q = parseInput(AgentMailListQuery, r.query);
        const { call, ctx } = await r.herald();
        const page = await call.webhooks.list({
          ...(q.limit === undefined ? {} : { limit: q.limit }),
          ...(q.page_token === undefined ? {} : { page_token: q.page_token }),
          ...(q.ascending === undefined ? {} : { ascending: q.ascending }),
        });
        const secrets = await secretsOf(ctx, page.webhooks);
        return {
          body: {
            count: page.webhooks.length,
            limit: page.limit,
            ...(page.next_page_token === null ? {} : { next_page_token: page.next_page_token }),
            webhooks: page.webhooks.map((w) => agentmailWebhook(w, secrets.get(w.id) ?? '')),
          } satisfies z.infer<typeof AgentMailList>,
        };
      },
    },
    {
      method: 'POST',
      path: base,
      async handle(r) {
        const input = parseInput(AgentMailCreateRequest, await r.body());
        const { call, ctx } = await r.herald();
        const created = await call.webhooks.create({
          url: input.url,
          event_types: input.event_types as never,
          inbox_ids: input.inbox_ids ?? [],
          pod_ids: input.pod_ids ?? [],
          ...(input.client_id === undefined ? {} : { client_id: input.client_id }),
        });
        // An existing webhook (same client_id) comes back without its secret: read it, as every read does here.
        return withSecret(ctx, created, created.secret);
      },
    },
    {
      method: 'GET',
      path: `${base}/{webhook_id}`,
      async handle(r) {
        const { call, ctx } = await r.herald();
        return withSecret(ctx, await call.webhooks.get({ webhook_id: id(r) }));
      },
    },
    {
      method: 'PATCH',
      path: `${base}/{webhook_id}`,
      async handle(r) {
        const input = parseInput(AgentMailUpdateRequest, await r.body());
        const { call, ctx } = await r.herald();
        return withSecret(ctx, await call.webhooks.update({ webhook_id: id(r), ...input }));
      },
    },
    {
      method: 'DELETE',
      path: `${base}/{webhook_id}`,
      async handle(r) {
        const { call } = await r.herald();
        await call.webhooks.delete({ webhook_id: id(r) });
        // AgentMail documents "200 Successful response" without a body.
        return {};
      },
    },
  ];
}

export function agentmailFace(): Face {
  return {
    prefix: AGENTMAIL_PREFIX,
    routes: BASES.flatMap(routesAt),
    error(error, _req: IncomingMessage) {
      const status = statusOf(error);
      const name = errorName(error);
      const fields = renamedFieldErrors(error);
      if (status === 400) {
        // A Map, not an object literal: a field the caller sent may be named `constructor` or `__proto__`.
        const byField = new Map<string, string[]>();
        for (const f of fields ?? []) byField.set(f.path || '(body)', [...(byField.get(f.path || '(body)') ?? []), f.message]);
        const errors = Object.fromEntries(byField);
        return { status, body: { name, errors, message: messageOf(error, fields) } satisfies z.infer<typeof AgentMailValidationError> };
      }
      return { status, body: { name, message: messageOf(error, fields) } satisfies z.infer<typeof AgentMailError> };
    },
  };
}
