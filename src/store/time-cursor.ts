// Keyset pagination over (a date field, _id), for collections whose ids are not time-ordered (delivery
// ids are digests, event ids may be the producer's). Stable under inserts, unlike skip/limit.
import type { Filter } from 'mongodb';

export interface TimeCursor {
  at: Date;
  id: string;
}

export interface TimeWindow {
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
}

export function windowFilter<T>(field: keyof T & string, { since, until }: TimeWindow): Filter<T> {
  if (!since && !until) return {};
  return { [field]: { ...(since ? { $gte: since } : {}), ...(until ? { $lt: until } : {}) } } as Filter<T>;
}

/** The documents after `cursor` in the order `sortBy(field, ascending)` lists them. */
export function afterFilter<T>(field: keyof T & string, cursor: TimeCursor, ascending: boolean): Filter<T> {
  const op = ascending ? '$gt' : '$lt';
  return { $or: [{ [field]: { [op]: cursor.at } }, { [field]: cursor.at, _id: { [op]: cursor.id } }] } as Filter<T>;
}

export function sortBy(field: string, ascending: boolean): Record<string, 1 | -1> {
  const direction = ascending ? 1 : -1;
  return { [field]: direction, _id: direction };
}

/** Reads one page (limit + 1 to know whether there is more) and the cursor of the next one. */
export function pageOf<T extends { _id: string }>(docs: T[], limit: number, at: (doc: T) => Date): { items: T[]; next: TimeCursor | null } {
  const more = docs.length > limit;
  const items = more ? docs.slice(0, limit) : docs;
  const last = items.at(-1);
  return { items, next: more && last ? { at: at(last), id: last._id } : null };
}
