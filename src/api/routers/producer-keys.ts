// Producer keys (admin only): the platform publishes events for every account with one key, which may
// call `events.publish` and nothing else (see publish-target.ts).
import { z } from 'zod';
import { routesTagged } from '../route-meta.js';
import { CreateProducerKeyInput, ProducerKeyIdInput } from '../schemas.js';
import { adminProcedure, notFound, router } from '../trpc.js';
import { ProducerKeyView, producerKeyView } from '../views.js';

const route = routesTagged('producer keys');

export const producerKeysRouter = router({
  /** The key is shown once; only its hash is stored. */
  create: adminProcedure
    .meta(
      route('POST', '/v1/producer-keys', 'Create a producer key (admin key)', {
        description:
          'A producer key may call `POST /v1/events` (events.publish) and nothing else, for any account, named by `account_id` or `account_external_id`; every other route answers 403.',
      }),
    )
    .input(CreateProducerKeyInput)
    .output(ProducerKeyView.extend({ producer_key: z.string().describe('The key itself (hkp_…). Shown here only.') }))
    .mutation(async ({ ctx, input }) => {
      const { producerKey, key } = await ctx.deps.store.producerKeys.create(input.name);
      return { ...producerKeyView(key), producer_key: producerKey };
    }),

  list: adminProcedure
    .meta(route('GET', '/v1/producer-keys', 'List producer keys (admin key)'))
    .output(z.object({ count: z.number().int(), producer_keys: z.array(ProducerKeyView) }))
    .query(async ({ ctx }) => {
      const keys = await ctx.deps.store.producerKeys.list();
      return { count: keys.length, producer_keys: keys.map(producerKeyView) };
    }),

  /** Immediate, in every Herald process: the next request with the key is refused (401). */
  revoke: adminProcedure
    .meta(route('DELETE', '/v1/producer-keys/{producer_key_id}', 'Revoke a producer key (admin key)'))
    .input(ProducerKeyIdInput)
    .output(ProducerKeyView)
    .mutation(async ({ ctx, input }) => {
      const revoked = await ctx.deps.store.producerKeys.revoke(input.producer_key_id);
      if (!revoked) throw notFound('producer key');
      return producerKeyView(revoked);
    }),
});
