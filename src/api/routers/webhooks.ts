import { z } from 'zod';
import type { Config } from '../../config/env.js';
import { idPattern, newId } from '../../domain/ids.js';
import type { WebhookDoc } from '../../store/documents.js';
import type { Store } from '../../store/index.js';
import { ConcurrentWriteError } from '../../store/versioned-write.js';
import type { SlotClaim } from '../../store/webhook-slots.js';
import { checkKnownType, checkSubscribable } from '../event-type-check.js';
import { type IdempotentRoute, withIdempotency } from '../idempotency.js';
import { decodePageToken, encodePageToken } from '../page-token.js';
import { routesTagged } from '../route-meta.js';
import {
  CreateWebhookInput,
  IdempotencyHeaders,
  ListWebhooksInput,
  RotateSecretInput,
  TestWebhookInput,
  UpdateWebhookInput,
  WebhookIdInput,
} from '../schemas.js';
import { sendTestEvent } from '../send-test-event.js';
import { testSample } from '../test-samples.js';
import { accountProcedure, notFound, reasonError, router } from '../trpc.js';
import { assertDeliverableUrl } from '../url-check.js';
import { TestDeliveryView, WebhookView, WebhookWithSecretView, webhookView } from '../views.js';
import { planWebhookUpdate } from '../webhook-update.js';

/** Old secrets kept valid during rotation grace periods, at most. */
const MAX_OLD_SECRETS = 10;

const route = routesTagged('webhooks');

const urlPolicy = (config: Config) => ({
  allowPrivate: config.delivery.allowPrivateUrls,
  allowedNetworks: config.delivery.allowedNetworks,
});

/** One webhook with its delivery statistics (a document of their own: one more read). */
async function viewOf(store: Store, webhook: WebhookDoc) {
  return webhookView(webhook, await store.webhookStats.get(webhook._id));
}

/**
 * A retried create (Idempotency-Key) gets the first answer's secret only while it is still the webhook's
 * current one: not after the webhook was deleted (or its secret rotated) since.
 */
function retriedCreate<T extends { id: string; secret?: string }>(store: Store, accountId: string): IdempotentRoute<T> {
  return {
    route: 'webhooks.create',
    async replay(first) {
      if (first.secret === undefined) return first;
      const webhook = await store.webhooks.get(accountId, first.id);
      if (webhook?.secrets.some((s) => s.expires_at === null && s.value === first.secret)) return first;
      const { secret: _stale, ...rest } = first;
      return rest as T;
    },
  };
}

/**
 * Inserts the webhook under its claimed slot. The slot is freed at once when no webhook was inserted
 * (a client_id retry); after an error it is left to its lease (the insert may still land; if it did not,
 * the slot is free again after the lease, see webhook-slots.ts).
 */
async function insertUnderSlot(
  store: Store,
  slot: SlotClaim,
  insert: () => ReturnType<Store['webhooks']['create']>,
): ReturnType<Store['webhooks']['create']> {
  // A claim this old may be taken over as abandoned: no webhook under it then (a create takes milliseconds).
  if (!store.webhookSlots.isFresh(slot)) throw new Error('the webhook slot claim expired before the webhook was inserted');
  const made = await insert();
  if (!made.created) await store.webhookSlots.release(slot.accountId, slot.webhookId);
  return made;
}

/** Writers of one webhook queue up; after many of them at once, a caller may be asked to try again. */
function conflictIfContended(error: unknown): never {
  if (error instanceof ConcurrentWriteError) {
    throw reasonError('CONFLICT', 'concurrent_update', 'The webhook kept changing while this update was applied; try again.');
  }
  throw error;
}

export const webhooksRouter = router({
  /**
   * The only answer that carries the signing secret. Idempotent by `client_id` (returns the existing
   * webhook) and by the `Idempotency-Key` header (replays the first answer).
   */
  create: accountProcedure
    .meta(route('POST', '/v1/webhooks', 'Create a webhook', { requestHeaders: IdempotencyHeaders }))
    .input(CreateWebhookInput)
    .output(WebhookWithSecretView)
    .mutation(({ ctx, input }) =>
      withIdempotency(ctx, retriedCreate(ctx.deps.store, ctx.accountId), input, async () => {
        const { config, store, lifecycle } = ctx.deps;
        if (input.client_id) {
          const existing = await store.webhooks.byClientId(ctx.accountId, input.client_id);
          if (existing) return viewOf(store, existing);
        }
        await assertDeliverableUrl(input.url, urlPolicy(config));
        await checkSubscribable(store.eventCatalogue, input.event_types, 'event_types');
        const max = config.limits.maxWebhooksPerAccount;
        // The limit holds under concurrency: a webhook is inserted only under a slot claimed for it.
        const id = newId('wh');
        const slot = await store.webhookSlots.claim(ctx.accountId, id, max);
        if (!slot) {
          throw reasonError(
            'FORBIDDEN',
            'webhook_limit_reached',
            `This account has reached its limit of ${max} webhooks; delete one first.`,
          );
        }
        const { webhook, created } = await insertUnderSlot(store, slot, () =>
          store.webhooks.create(
            ctx.accountId,
            {
              url: input.url,
              event_types: input.event_types,
              inbox_ids: input.inbox_ids,
              pod_ids: input.pod_ids,
              name: input.name ?? null,
              client_id: input.client_id ?? null,
              enabled: input.enabled,
              ...(input.propagate_trace ? { propagate_trace: true } : {}),
            },
            new Date(),
            id,
          ),
        );
        // A client_id raced us: the other request created it and answered with the secret.
        if (!created) return viewOf(store, webhook);
        try {
          await lifecycle.created(webhook);
        } catch (error) {
          // No half-made webhook: without its workflows it would never be healthy; the caller retries.
          await store.webhooks.delete(ctx.accountId, webhook._id);
          throw error;
        }
        return { ...webhookView(webhook, null), secret: webhook.secrets.at(-1)?.value };
      }),
    ),

  list: accountProcedure
    .meta(route('GET', '/v1/webhooks', 'List webhooks'))
    .input(ListWebhooksInput)
    .output(
      z.object({
        count: z.number().int().describe('Webhooks matching the filters, on every page.'),
        limit: z.number().int(),
        next_page_token: z.string().nullable().describe('Pass as page_token for the next page; null on the last page.'),
        webhooks: z.array(WebhookView),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { store } = ctx.deps;
      await checkKnownType(store.eventCatalogue, input.event_type, 'event_type');
      const page = await store.webhooks.list(ctx.accountId, {
        limit: input.limit,
        after: input.page_token ? decodePageToken(input.page_token, idPattern('wh')) : undefined,
        ascending: input.ascending,
        status: input.status,
        inbox_id: input.inbox_id,
        event_type: input.event_type,
      });
      const stats = await store.webhookStats.forWebhooks(page.webhooks.map((w) => w._id));
      return {
        count: page.count,
        limit: input.limit,
        next_page_token: page.next ? encodePageToken(page.next) : null,
        webhooks: page.webhooks.map((w) => webhookView(w, stats.get(w._id) ?? null)),
      };
    }),

  get: accountProcedure
    .meta(route('GET', '/v1/webhooks/{webhook_id}', 'Get a webhook'))
    .input(WebhookIdInput)
    .output(WebhookView)
    .query(async ({ ctx, input }) => {
      const webhook = await ctx.deps.store.webhooks.get(ctx.accountId, input.webhook_id);
      if (!webhook) throw notFound('webhook');
      return viewOf(ctx.deps.store, webhook);
    }),

  /** PATCH: only the given fields change; `enabled` goes through the lifecycle like enable/disable. */
  update: accountProcedure
    .meta(route('PATCH', '/v1/webhooks/{webhook_id}', 'Update a webhook'))
    .input(UpdateWebhookInput)
    .output(WebhookView)
    .mutation(async ({ ctx, input }) => {
      const { config, store, lifecycle } = ctx.deps;
      let urlChecked = false;
      // Planned on the current webhook, again if another write got in first.
      const saved = await store.webhooks
        .change(input.webhook_id, ctx.accountId, async (webhook) => {
          const fields = planWebhookUpdate(webhook, input);
          // Types it subscribes to already may stay, archived or not; new ones must be subscribable.
          if (fields.event_types) await checkSubscribable(store.eventCatalogue, fields.event_types, 'event_types', webhook.event_types);
          if (fields.url !== undefined && !urlChecked) {
            await assertDeliverableUrl(fields.url, urlPolicy(config));
            urlChecked = true;
          }
          return fields;
        })
        .catch(conflictIfContended);
      if (!saved) throw notFound('webhook');
      if (input.enabled === true && saved.status !== 'active') {
        const enabled = await lifecycle.enable(ctx.accountId, saved._id);
        if (!enabled) throw notFound('webhook');
        return viewOf(store, enabled.webhook);
      }
      if (input.enabled === false && saved.enabled) {
        const disabled = await lifecycle.disable(ctx.accountId, saved._id);
        if (!disabled) throw notFound('webhook');
        return viewOf(store, disabled);
      }
      return viewOf(store, saved);
    }),

  /** Back to `active` with the failure count reset; parked deliveries resume. */
  enable: accountProcedure
    .meta(route('POST', '/v1/webhooks/{webhook_id}/enable', 'Enable a webhook'))
    .input(WebhookIdInput)
    .output(WebhookView.extend({ resumed_deliveries: z.number().int().describe('Parked deliveries resumed by this call.') }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.deps.lifecycle.enable(ctx.accountId, input.webhook_id);
      if (!result) throw notFound('webhook');
      return { ...(await viewOf(ctx.deps.store, result.webhook)), resumed_deliveries: result.resumed_deliveries };
    }),

  /** Nothing reaches the URL while disabled; deliveries are parked, not dropped. */
  disable: accountProcedure
    .meta(route('POST', '/v1/webhooks/{webhook_id}/disable', 'Disable a webhook'))
    .input(WebhookIdInput)
    .output(WebhookView)
    .mutation(async ({ ctx, input }) => {
      const webhook = await ctx.deps.lifecycle.disable(ctx.accountId, input.webhook_id);
      if (!webhook) throw notFound('webhook');
      return viewOf(ctx.deps.store, webhook);
    }),

  /** Deletes the webhook and stops its workflows and pending deliveries. */
  delete: accountProcedure
    .meta(route('DELETE', '/v1/webhooks/{webhook_id}', 'Delete a webhook'))
    .input(WebhookIdInput)
    .output(z.object({ id: z.string(), deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const webhook = await ctx.deps.lifecycle.delete(ctx.accountId, input.webhook_id);
      if (!webhook) throw notFound('webhook');
      return { id: webhook._id, deleted: true as const };
    }),

  /** A new secret, shown once; the previous ones keep signing until the grace period ends. */
  rotate_secret: accountProcedure
    .meta(route('POST', '/v1/webhooks/{webhook_id}/rotate-secret', 'Rotate the signing secret'))
    .input(RotateSecretInput)
    .output(WebhookWithSecretView)
    .mutation(async ({ ctx, input }) => {
      const { store } = ctx.deps;
      const rotated = await store.webhooks
        .rotateSecret(ctx.accountId, input.webhook_id, input.grace_period_seconds, MAX_OLD_SECRETS)
        .catch(conflictIfContended);
      if (!rotated) throw notFound('webhook');
      return { ...(await viewOf(store, rotated.webhook)), secret: rotated.secret };
    }),

  /** Sends a signed test event (`webhook.test` unless `event_type` asks for another sample) now and answers with what the endpoint did. */
  test: accountProcedure
    .meta(route('POST', '/v1/webhooks/{webhook_id}/test', 'Send a test event'))
    .input(TestWebhookInput)
    .output(TestDeliveryView)
    .mutation(async ({ ctx, input }) => {
      const webhook = await ctx.deps.store.webhooks.get(ctx.accountId, input.webhook_id);
      if (!webhook) throw notFound('webhook');
      // Each call makes Herald POST to the tenant's URL: bounded per webhook and per account.
      ctx.deps.rateLimits.testSend(ctx.accountId, webhook._id);
      return sendTestEvent(ctx.deps.sender, webhook, new Date(), testSample(input.event_type, webhook));
    }),
});
