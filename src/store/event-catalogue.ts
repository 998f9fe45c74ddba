// The catalogue as this process sees it: the built-in types (code, never changing) and a copy of the
// types added at run time, checked against the catalogue's version (catalogue-version.ts) whenever a
// type that is not built-in is looked up. So a publish of a built-in type costs no read at all, one of
// an added type one read by `_id`, and a type archived through any process is refused by every process
// from its next lookup on: the archive moves the version after writing, and a lookup reads the version
// before it decides.
import { BUILT_IN_EVENT_TYPES, builtInEventType, type EventTypeDefinition, type JsonSchema } from '../domain/event-catalogue.js';
import type { CatalogueVersion, CatalogueVersionStore } from './catalogue-version.js';
import type { EventTypeDoc } from './documents.js';
import type { EventTypesRepo } from './event-types-repo.js';

export interface EventCatalogueOptions {
  /** A copy older than this is read again even if the version did not move (a writer that died before moving it). */
  maxAgeMs?: number;
  now?: () => number;
}

/** A stored type without a schema accepts any object, like the built-in types no seed documents. */
export const ANY_OBJECT: JsonSchema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' };

export function definitionOf(doc: EventTypeDoc): EventTypeDefinition {
  return {
    name: doc._id,
    description: doc.description,
    scope: doc.scope,
    schema: doc.schema_json ? (JSON.parse(doc.schema_json) as JsonSchema) : ANY_OBJECT,
    source: 'custom',
    built_in: false,
    emitted_by_herald: false,
    publishable: true,
    archived_at: doc.archived_at,
    example: doc.example_json ? (JSON.parse(doc.example_json) as Record<string, unknown>) : null,
  };
}

export function createEventCatalogue(
  repo: EventTypesRepo,
  version: CatalogueVersionStore,
  { maxAgeMs = 60_000, now = Date.now }: EventCatalogueOptions = {},
) {
  let copy: { version: CatalogueVersion; readAt: number; types: Map<string, EventTypeDefinition> } | undefined;
  // Concurrent lookups that found the same new version share one read of the types.
  let loading: { version: CatalogueVersion; types: Promise<Map<string, EventTypeDefinition>> } | undefined;

  /** The added types, as of a version read now (or by the caller during this request: `known`). */
  async function addedTypes(known?: CatalogueVersion): Promise<Map<string, EventTypeDefinition>> {
    // The version first: a change landing in between moves it again afterwards.
    const current = known !== undefined ? known : await version.read();
    if (copy && copy.version === current && now() - copy.readAt < maxAgeMs) return copy.types;
    if (loading?.version === current) return loading.types;
    const readAt = now();
    const types = repo.list().then((docs) => {
      const loaded = new Map(docs.map((doc) => [doc._id, definitionOf(doc)]));
      copy = { version: current, readAt, types: loaded };
      return loaded;
    });
    loading = { version: current, types };
    try {
      return await types;
    } finally {
      if (loading?.types === types) loading = undefined;
    }
  }

  return {
    /**
     * The definitions of `names` (undefined: no such type), current as of this call: reads the
     * catalogue's version only when a name is not built-in, unless the caller read it during this
     * request already (`known`: authentication reads it with the account's version).
     */
    async lookUp(names: readonly string[], known?: CatalogueVersion): Promise<Array<EventTypeDefinition | undefined>> {
      const builtIn = names.map((name) => builtInEventType(name));
      if (builtIn.every((type) => type !== undefined)) return builtIn;
      const added = await addedTypes(known);
      return names.map((name, i) => builtIn[i] ?? added.get(name));
    },

    /** Every type: the built-in ones first, in catalogue order, then the added ones by name. */
    async list(): Promise<EventTypeDefinition[]> {
      return [...BUILT_IN_EVENT_TYPES.values(), ...(await addedTypes()).values()];
    },
  };
}

export type EventCatalogue = ReturnType<typeof createEventCatalogue>;
