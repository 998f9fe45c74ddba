// Events are immutable once stored (only `dispatched_at` moves, and deliveries do not read it), so the
// process that stored one keeps it for a few seconds: the first attempt, usually made by this same
// process's worker a few milliseconds later, then builds its body without reading the event back.
// Small and short-lived on purpose: an event may be up to HERALD_MAX_EVENT_BYTES, and a miss costs one
// read by `_id` (another process's worker, a retry, a replay).
import type { EventDoc } from './documents.js';
import { type EventsRepo, eventKey } from './events-repo.js';

export interface RecentEventsOptions {
  maxEvents?: number;
  ttlMs?: number;
  now?: () => number;
}

export function withRecentEvents(repo: EventsRepo, { maxEvents = 500, ttlMs = 5_000, now = Date.now }: RecentEventsOptions = {}) {
  const recent = new Map<string, { event: EventDoc; until: number }>();
  const remember = (event: EventDoc) => {
    recent.delete(event._id);
    recent.set(event._id, { event, until: now() + ttlMs });
    // Oldest first: a Map iterates in insertion order.
    for (const [id, entry] of recent) {
      if (recent.size <= maxEvents && entry.until > now()) break;
      recent.delete(id);
    }
  };
  return {
    ...repo,

    async insert(event: Parameters<EventsRepo['insert']>[0]) {
      const result = await repo.insert(event);
      remember(result.event);
      return result;
    },

    /** The event a delivery attempt sends: this process's copy if it stored the event a moment ago. */
    async forDelivery(accountId: string, eventId: string): Promise<EventDoc | null> {
      const hit = recent.get(eventKey(accountId, eventId));
      if (hit && hit.until > now()) return hit.event;
      return repo.get(accountId, eventId);
    },
  };
}
