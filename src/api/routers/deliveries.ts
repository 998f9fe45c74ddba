import { TRPCError } from '@trpc/server';
import { recoverStatus, startRecover } from '../../temporal/recover.js';
import { replayDelivery } from '../../temporal/replay.js';
import { decodeTimeToken, encodeTimeToken } from '../page-token.js';
import { routesTagged } from '../route-meta.js';
import { DeliveryIdInput, ListDeliveriesInput, RecoverInput, RecoveryIdInput } from '../schemas.js';
import { accountProcedure, notFound, reasonError, router } from '../trpc.js';
import {
  DeliveryPageView,
  DeliveryView,
  deliverySummaryView,
  deliveryView,
  RecoveryStatusView,
  RecoveryView,
  ReplayView,
} from '../views.js';

const route = routesTagged('deliveries');

export const deliveriesRouter = router({
  /** Filters combine; attempts are summarised (`deliveries.get` has them all). */
  list: accountProcedure
    .meta(
      route('GET', '/v1/deliveries', 'List deliveries', {
        description: 'Newest first unless `ascending`; filters combine. Each item summarises its attempts (`deliveries.get` has them all).',
      }),
    )
    .input(ListDeliveriesInput)
    .output(DeliveryPageView)
    .query(async ({ ctx, input }) => {
      const { deliveries, next } = await ctx.deps.store.deliveries.list(ctx.accountId, {
        limit: input.limit,
        after: decodeTimeToken(input.page_token),
        ascending: input.ascending,
        webhook_id: input.webhook_id,
        event_id: input.event_id,
        status: input.status,
        since: input.since ? new Date(input.since) : undefined,
        until: input.until ? new Date(input.until) : undefined,
      });
      return { limit: input.limit, next_page_token: encodeTimeToken(next), deliveries: deliveries.map(deliverySummaryView) };
    }),

  /** Every attempt, the workflow's current run and a link to it in the Temporal UI. */
  get: accountProcedure
    .meta(route('GET', '/v1/deliveries/{delivery_id}', 'Get a delivery with every attempt'))
    .input(DeliveryIdInput)
    .output(DeliveryView)
    .query(async ({ ctx, input }) => {
      const { store, temporal, config, log } = ctx.deps;
      const delivery = await store.deliveries.get(ctx.accountId, input.delivery_id);
      if (!delivery) throw notFound('delivery');
      // The record stands on its own: a Temporal that is down, or that no longer keeps the workflow
      // (namespace retention), only costs the run id.
      const runId = await temporal.workflow
        .getHandle(delivery.workflow_id)
        .describe()
        .then(
          (description) => description.runId,
          (error) => {
            log.debug({ err: error, workflowId: delivery.workflow_id }, 'describing a delivery workflow failed');
            return null;
          },
        );
      return deliveryView(delivery, { uiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace, runId });
    }),

  /**
   * Resets the delivery's workflow to its first workflow task: the retry schedule starts again, the
   * earlier attempts stay in the record, receivers see the same `webhook-id`.
   */
  replay: accountProcedure
    .meta(
      route('POST', '/v1/deliveries/{delivery_id}/replay', 'Replay a delivery', {
        description:
          'Resets the delivery’s workflow to its first workflow task (`temporal workflow reset --type FirstWorkflowTask`): ' +
          'the retry schedule starts again, earlier attempts stay in the record. 409 (delivery_in_progress, with the `run_id` at work) unless the delivery has finished; ' +
          'of concurrent replays one wins, the others answer that 409 with the winner’s run.',
      }),
    )
    .input(DeliveryIdInput)
    .output(ReplayView)
    .mutation(async ({ ctx, input }) => {
      const delivery = await ctx.deps.store.deliveries.get(ctx.accountId, input.delivery_id);
      if (!delivery) throw notFound('delivery');
      // Only a finished run is replayed: resetting one whose attempt is in flight (or parked) would race
      // that attempt's record, and its own schedule is still working on it anyway. Of concurrent replays
      // one wins; the others are told the run it made (replay.ts).
      const result = await replayDelivery(ctx.deps.dispatch, delivery, 'herald: deliveries.replay');
      if (!result.ok) {
        if (result.error === 'gone') throw notFound('event or webhook of this delivery');
        if (result.error === 'in_progress') {
          throw reasonError(
            'CONFLICT',
            'delivery_in_progress',
            result.runId
              ? `the delivery is being worked on by run ${result.runId}; only a finished delivery can be replayed`
              : 'the delivery has not been started yet; only a finished delivery can be replayed',
            result.runId ? { run_id: result.runId } : undefined,
          );
        }
        throw new TRPCError({ code: 'CONFLICT', message: 'delivery_not_started: the delivery has not made its first attempt yet' });
      }
      return { id: delivery._id, workflow_id: delivery.workflow_id, run_id: result.runId, status: 'pending' as const };
    }),

  /** Replays every failed delivery of the webhook whose event was published in [since, until). */
  recover: accountProcedure
    .meta(
      route('POST', '/v1/webhooks/{webhook_id}/recover', 'Replay a webhook’s failed deliveries', {
        description:
          'Replays every failed delivery of the webhook whose event was published in [since, until) (until: now), at most ' +
          'HERALD_RECOVER_MAX, in a workflow. Answers at once; GET /v1/recoveries/{recovery_id} reports the progress.',
      }),
    )
    .input(RecoverInput)
    .output(RecoveryView)
    .mutation(async ({ ctx, input }) => {
      const { store, dispatch, config } = ctx.deps;
      const webhook = await store.webhooks.get(ctx.accountId, input.webhook_id);
      if (!webhook) throw notFound('webhook');
      const since = new Date(input.since);
      const until = input.until ? new Date(input.until) : new Date();
      const { recoveryId, total } = await startRecover(dispatch, { webhook, since, until, max: config.delivery.recoverMax });
      return {
        recovery_id: recoveryId,
        webhook_id: webhook._id,
        since: since.toISOString(),
        until: until.toISOString(),
        total,
      };
    }),

  /** Progress of a `deliveries.recover`: `done` replayed, `failed` could not be, of `total`. */
  recover_status: accountProcedure
    .meta(route('GET', '/v1/recoveries/{recovery_id}', 'Get the progress of a recovery'))
    .input(RecoveryIdInput)
    .output(RecoveryStatusView)
    .query(async ({ ctx, input }) => {
      const status = await recoverStatus(ctx.deps.dispatch, ctx.accountId, input.recovery_id);
      if (!status) throw notFound('recovery');
      return {
        recovery_id: input.recovery_id,
        webhook_id: status.webhookId,
        since: new Date(status.since).toISOString(),
        until: new Date(status.until).toISOString(),
        total: status.total,
        done: status.done,
        failed: status.failed,
        finished: status.finished,
      };
    }),
});
