import { newId } from '../../domain/ids.js';
import { dispatchEvent, matchesFor, readWebhooks } from '../../temporal/dispatch.js';
import { checkKnownType, checkPublish } from '../event-type-check.js';
import { decodeTimeToken, encodeTimeToken } from '../page-token.js';
import { publishTarget } from '../publish-target.js';
import { routesTagged } from '../route-meta.js';
import { EventIdInput, ListEventsInput, PublishEventInput } from '../schemas.js';
import { accountProcedure, notFound, publisherProcedure, router } from '../trpc.js';
import { fieldError } from '../url-check.js';
import { EventPageView, EventView, eventView } from '../views.js';

const route = routesTagged('events');

export const eventsRouter = router({
  /**
   * Stores the event and starts its deliveries; answers only after Temporal accepted them, so an
   * acknowledged event is never lost. Publishing the same `event_id` again returns the first event.
   * An account key publishes for its own account, a producer key for the account the input names.
   */
  publish: publisherProcedure
    .meta(route('POST', '/v1/events', 'Publish an event'))
    .input(PublishEventInput)
    .output(EventView)
    .mutation(async ({ ctx, input }) => {
      const { store, config, dispatch } = ctx.deps;
      if (Buffer.byteLength(JSON.stringify(input.data)) > config.limits.maxEventBytes) {
        throw fieldError('data', `must be at most ${config.limits.maxEventBytes} bytes of JSON`);
      }
      // The target account (a read only for a producer key) comes with the catalogue's version, read in
      // the same round trip as the account's: the type's check needs no read of its own. Bad input is
      // reported before an unknown account's 404.
      const [targeted] = await Promise.allSettled([publishTarget(ctx, ctx.caller, input)]);
      const known = targeted.status === 'fulfilled' ? targeted.value.catalogue : undefined;
      const type = await checkPublish(store.eventCatalogue, input, known);
      if (targeted.status === 'rejected') throw targeted.reason;
      const target = targeted.value;
      const now = new Date();
      const candidate = {
        id: input.event_id ?? newId('evt', now.getTime()),
        account_id: target.accountId,
        type: input.type,
        inbox_id: input.inbox_id ?? null,
        pod_id: input.pod_id ?? null,
        data: input.data,
        created_at: now,
        ...(input.occurred_at ? { occurred_at: input.occurred_at } : {}),
        scope: type.scope,
      };
      // Matching needs only what was sent, so it runs while the event is stored: one round trip less
      // before the answer. It checks its copy of the webhooks against the version authentication read;
      // the matching webhooks themselves are read meanwhile too, for the first attempts.
      const matching = matchesFor(dispatch, candidate, target.version);
      const [{ event, created }, matches, webhooks] = await Promise.all([
        store.events.insert(candidate),
        matching,
        matching.then((found) => readWebhooks(dispatch, found)),
      ]);
      // A retried publish of an event already dispatched starts nothing; one stored but not dispatched
      // (the first call died in between) is dispatched now, with the same deterministic ids, matched
      // by what was stored then.
      if (!event.dispatched_at) {
        await dispatchEvent(dispatch, event, {
          matches: created ? matches : undefined,
          firstAttempts: created ? { webhooks } : undefined,
          markInBackground: true,
        });
      }
      return eventView(event);
    }),

  get: accountProcedure
    .meta(route('GET', '/v1/events/{event_id}', 'Get an event'))
    .input(EventIdInput)
    .output(EventView)
    .query(async ({ ctx, input }) => {
      const event = await ctx.deps.store.events.get(ctx.accountId, input.event_id);
      if (!event) throw notFound('event');
      return eventView(event);
    }),

  list: accountProcedure
    .meta(route('GET', '/v1/events', 'List events', { description: 'Newest first unless `ascending`; filters combine.' }))
    .input(ListEventsInput)
    .output(EventPageView)
    .query(async ({ ctx, input }) => {
      await checkKnownType(ctx.deps.store.eventCatalogue, input.type, 'type');
      const { events, next } = await ctx.deps.store.events.list(ctx.accountId, {
        limit: input.limit,
        after: decodeTimeToken(input.page_token),
        ascending: input.ascending,
        type: input.type,
        inbox_id: input.inbox_id,
        since: input.since ? new Date(input.since) : undefined,
        until: input.until ? new Date(input.until) : undefined,
      });
      return { limit: input.limit, next_page_token: encodeTimeToken(next), events: events.map(eventView) };
    }),
});
