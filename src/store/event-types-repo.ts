// Event types added at run time by operators, one document each, keyed by name. Built-in types are not
// stored (src/domain/event-catalogue.ts). Every write moves the catalogue's version afterwards, so every
// process reads the catalogue again on its next use of a type that is not built-in.
import type { CatalogueVersionStore } from './catalogue-version.js';
import type { EventTypeDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';
import { writeVersioned } from './versioned-write.js';

export type EventTypeChange = Partial<Pick<EventTypeDoc, 'description' | 'scope' | 'schema_json' | 'example_json' | 'archived_at'>>;

export function createEventTypesRepo(c: Collections, version: CatalogueVersionStore) {
  return {
    list(): Promise<EventTypeDoc[]> {
      return c.eventTypes.find({}).sort({ _id: 1 }).toArray();
    },

    get(name: string): Promise<EventTypeDoc | null> {
      return c.eventTypes.findOne({ _id: name });
    },

    /** `created: false`: a type of that name exists (the unique `_id` decides, on every server). */
    async create(doc: Omit<EventTypeDoc, 'archived_at' | 'updated_at'>): Promise<{ type: EventTypeDoc; created: boolean }> {
      const type: EventTypeDoc = { ...doc, archived_at: null, updated_at: doc.created_at };
      try {
        await c.eventTypes.insertOne(type);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await this.get(doc._id);
        if (!existing) throw error;
        // Its creator may have died before moving the version: moving it again costs nothing.
        await version.touch();
        return { type: existing, created: false };
      }
      await version.touch();
      return { type, created: true };
    },

    /**
     * Applies the fields `plan` returns to the current document (a versioned write: two operators'
     * changes never undo each other); null when there is no such type.
     */
    async change(name: string, plan: (current: EventTypeDoc) => EventTypeChange | null): Promise<EventTypeDoc | null> {
      let changed = false;
      const written = await writeVersioned({ docs: c.eventTypes, claims: c.writeClaims, scope: 'event_types' }, name, (current) => {
        const fields = plan(current);
        changed = fields !== null && Object.keys(fields).length > 0;
        return fields;
      });
      if (written && changed) await version.touch();
      return written;
    },
  };
}

export type EventTypesRepo = ReturnType<typeof createEventTypesRepo>;
