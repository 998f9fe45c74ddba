import { z } from 'zod';
import { builtInEventType } from '../../domain/event-catalogue.js';
import type { EventTypeDoc } from '../../store/documents.js';
import { ANY_OBJECT, definitionOf } from '../../store/event-catalogue.js';
import type { EventTypeChange } from '../../store/event-types-repo.js';
import { ConcurrentWriteError } from '../../store/versioned-write.js';
import { checkExample } from '../event-type-example.js';
import { routesTagged } from '../route-meta.js';
import { CreateEventTypeInput, EventTypeNameInput, UpdateEventTypeInput } from '../schemas.js';
import { adminProcedure, notFound, publicProcedure, reasonError, router } from '../trpc.js';
import { fieldError } from '../url-check.js';
import { EventTypeView, eventTypeView } from '../views.js';

const route = routesTagged('event types');

/** Built-in types are the seeds' contract (and Herald's own): fixed, so checking them costs no read. */
function refuseBuiltIn(name: string): void {
  if (builtInEventType(name)) throw fieldError('name', 'is a built-in type: built-in types cannot be updated or archived');
}

function conflictIfContended(error: unknown): never {
  if (error instanceof ConcurrentWriteError) {
    throw reasonError('CONFLICT', 'concurrent_update', 'The event type kept changing while this update was applied; try again.');
  }
  throw error;
}

const view = (doc: EventTypeDoc) => eventTypeView(definitionOf(doc));

export const eventTypesRouter = router({
  /** The catalogue. Public: it is documentation, not account data. */
  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/v1/event-types',
        summary: 'List event types',
        description: 'Every type, built-in and added, archived ones included, each with the JSON Schema of its fields.',
        tags: ['event types'],
        protect: false,
      },
    })
    .output(z.object({ event_types: z.array(EventTypeView) }))
    .query(async ({ ctx }) => ({ event_types: (await ctx.deps.store.eventCatalogue.list()).map(eventTypeView) })),

  /** Adds a type at run time; every Herald process accepts it from its next lookup on. */
  create: adminProcedure
    .meta(
      route('POST', '/v1/event-types', 'Add an event type', {
        description: 'Admin key. `schema`: JSON Schema (draft 2020-12) of the events’ `data`; omitted, any object.',
      }),
    )
    .input(CreateEventTypeInput)
    .output(EventTypeView)
    .mutation(async ({ ctx, input }) => {
      if (builtInEventType(input.name)) {
        throw reasonError('CONFLICT', 'event_type_exists', `${input.name} is a built-in event type.`);
      }
      if (input.example) checkExample(input.name, input.schema ?? ANY_OBJECT, input.example);
      const { type, created } = await ctx.deps.store.eventTypes.create({
        _id: input.name,
        description: input.description,
        scope: input.scope,
        schema_json: input.schema ? JSON.stringify(input.schema) : null,
        example_json: input.example ? JSON.stringify(input.example) : null,
        created_at: new Date(),
      });
      if (!created) throw reasonError('CONFLICT', 'event_type_exists', `The event type ${type._id} exists already.`);
      return view(type);
    }),

  /** Only given fields change; events already accepted keep what they were published with. */
  update: adminProcedure
    .meta(route('PATCH', '/v1/event-types/{name}', 'Update an event type', { description: 'Admin key. Built-in types cannot be updated.' }))
    .input(UpdateEventTypeInput)
    .output(EventTypeView)
    .mutation(async ({ ctx, input }) => {
      refuseBuiltIn(input.name);
      const saved = await ctx.deps.store.eventTypes
        .change(input.name, (current) => {
          const fields: EventTypeChange = {};
          if (input.description !== undefined && input.description !== current.description) fields.description = input.description;
          if (input.scope !== undefined && input.scope !== current.scope) fields.scope = input.scope;
          if (input.schema !== undefined) {
            const schemaJson = input.schema === null ? null : JSON.stringify(input.schema);
            if (schemaJson !== current.schema_json) fields.schema_json = schemaJson;
          }
          if (input.example !== undefined) {
            const exampleJson = input.example === null ? null : JSON.stringify(input.example);
            if (exampleJson !== (current.example_json ?? null)) fields.example_json = exampleJson;
          }
          // The example the type ends with must fit the schema it ends with, whichever of the two changed.
          const after = definitionOf({ ...current, ...fields });
          if (after.example && (fields.schema_json !== undefined || fields.example_json !== undefined)) {
            checkExample(input.name, after.schema, after.example);
          }
          return fields;
        })
        .catch(conflictIfContended);
      if (!saved) throw notFound('event type');
      return view(saved);
    }),

  /**
   * No longer subscribable or publishable, in every process from its next request on. Webhooks that
   * subscribe to it keep it, and events already accepted are still delivered. Archiving again keeps
   * the first time.
   */
  archive: adminProcedure
    .meta(
      route('POST', '/v1/event-types/{name}/archive', 'Archive an event type', {
        description: 'Admin key. Built-in types cannot be archived.',
      }),
    )
    .input(EventTypeNameInput)
    .output(EventTypeView)
    .mutation(async ({ ctx, input }) => {
      refuseBuiltIn(input.name);
      const saved = await ctx.deps.store.eventTypes
        .change(input.name, (current) => (current.archived_at ? null : { archived_at: new Date() }))
        .catch(conflictIfContended);
      if (!saved) throw notFound('event type');
      return view(saved);
    }),
});
