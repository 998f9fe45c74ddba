import { TRPCError } from '@trpc/server';
import { CreateWebhookInput, WebhookIdInput } from '../schemas.js';
import { accountProcedure, notFound, router } from '../trpc.js';
import { assertDeliverableUrl } from '../url-check.js';
import { webhookView } from '../views.js';

export const webhooksRouter = router({
  /** The only answer that carries the signing secret. Idempotent by `client_id`. */
  create: accountProcedure.input(CreateWebhookInput).mutation(async ({ ctx, input }) => {
    const { config, store } = ctx.deps;
    await assertDeliverableUrl(input.url, {
      allowPrivate: config.delivery.allowPrivateUrls,
      allowedNetworks: config.delivery.allowedNetworks,
    });
    if ((await store.webhooks.count(ctx.accountId)) >= config.limits.maxWebhooksPerAccount) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `webhook_limit_reached: an account may have at most ${config.limits.maxWebhooksPerAccount} webhooks`,
      });
    }
    const { webhook, created } = await store.webhooks.create(ctx.accountId, {
      url: input.url,
      event_types: input.event_types,
      inbox_ids: input.inbox_ids,
      pod_ids: input.pod_ids,
      name: input.name ?? null,
      client_id: input.client_id ?? null,
      enabled: input.enabled,
    });
    if (created) await ctx.deps.lifecycle.created(webhook);
    const secret = created ? webhook.secrets.at(-1)?.value : undefined;
    return { ...webhookView(webhook), ...(secret ? { secret } : {}) };
  }),

  get: accountProcedure.input(WebhookIdInput).query(async ({ ctx, input }) => {
    const webhook = await ctx.deps.store.webhooks.get(ctx.accountId, input.webhook_id);
    if (!webhook) throw notFound('webhook');
    return webhookView(webhook);
  }),

  // Minimal versions for the health workflow's tests; the API issue owns the final procedures.
  /** Active again, failure count reset; parked deliveries are sent in the order of their events. */
  enable: accountProcedure.input(WebhookIdInput).mutation(async ({ ctx, input }) => {
    const result = await ctx.deps.lifecycle.enable(ctx.accountId, input.webhook_id);
    if (!result) throw notFound('webhook');
    return { ...webhookView(result.webhook), resumed_deliveries: result.resumed_deliveries };
  }),

  /** Nothing is sent until enabled again; deliveries meanwhile are parked, not dropped. */
  disable: accountProcedure.input(WebhookIdInput).mutation(async ({ ctx, input }) => {
    const webhook = await ctx.deps.lifecycle.disable(ctx.accountId, input.webhook_id);
    if (!webhook) throw notFound('webhook');
    return webhookView(webhook);
  }),

  delete: accountProcedure.input(WebhookIdInput).mutation(async ({ ctx, input }) => {
    const webhook = await ctx.deps.lifecycle.delete(ctx.accountId, input.webhook_id);
    if (!webhook) throw notFound('webhook');
    return { id: webhook._id, deleted: true };
  }),
});
