// One page of a large fan-out: the next matching webhooks after the cursor get their delivery records
// and workflows, started from here with the client (not as child workflows: see workflows/fan-out.ts).
import { isAccountLevel } from '../src/domain/event-catalogue.js';
import { type DispatchDeps, startDeliveries } from '../src/temporal/dispatch.js';

export interface FanOutPageInput {
  accountId: string;
  eventId: string;
  /** The last webhook id of the previous page; null for the first page. */
  after: string | null;
  pageSize: number;
}

export interface FanOutPageResult {
  started: number;
  /** The cursor of the next page; null when this was the last. */
  next: string | null;
}

export function createFanOutPage(dispatch: DispatchDeps) {
  return async function fanOutPage({ accountId, eventId, after, pageSize }: FanOutPageInput): Promise<FanOutPageResult> {
    const event = await dispatch.store.events.get(accountId, eventId);
    // Deleted by retention before the fan-out ran: nothing left to deliver.
    if (!event) return { started: 0, next: null };
    const found = await dispatch.store.webhooks.matching(event, isAccountLevel(event.type), {
      after: after ?? undefined,
      limit: pageSize + 1,
    });
    const page = found.slice(0, pageSize);
    // A retried page (the worker died half way) starts the same ids again: harmless by construction.
    await startDeliveries(dispatch, event, page);
    return { started: page.length, next: found.length > pageSize ? (page.at(-1)?._id ?? null) : null };
  };
}
