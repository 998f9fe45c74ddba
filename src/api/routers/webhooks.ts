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
});
