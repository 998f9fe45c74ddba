import { z } from 'zod';
import { EVENT_CATALOGUE, EVENT_TYPES, EventTypeSchema } from '../../domain/event-catalogue.js';
import { publicProcedure, router } from '../trpc.js';

const EventTypeView = z.object({
  type: EventTypeSchema,
  description: z.string(),
  emitted_by_herald: z.boolean().describe('Herald emits it itself; producers cannot publish it.'),
  scope: z.enum(['message', 'account']).describe('account: delivered regardless of a webhook’s inbox and pod scope.'),
  schema: z
    .record(z.string(), z.unknown())
    .describe('JSON Schema of the type’s fields, which receivers find next to the envelope’s routing fields.'),
});

// Generated once from the same zod schemas that validate `events.publish`, so the two never disagree.
const EVENT_TYPE_LIST = EVENT_TYPES.map((type) => {
  const definition = EVENT_CATALOGUE[type];
  return {
    type,
    description: definition.description,
    emitted_by_herald: 'internal' in definition,
    scope: definition.scope,
    schema: z.toJSONSchema(definition.data) as Record<string, unknown>,
  };
});

export const eventTypesRouter = router({
  /** The catalogue. Public: it is documentation, not account data. */
  list: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/event-types', summary: 'List event types', tags: ['event types'], protect: false } })
    .output(z.object({ event_types: z.array(EventTypeView) }))
    .query(() => ({ event_types: EVENT_TYPE_LIST })),
});
