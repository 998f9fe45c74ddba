// The reconciler's work: events that were stored but never dispatched (the API died between storing and
// dispatching, or Temporal refused the starts) are dispatched now, with the same deterministic ids.
import { log } from '@temporalio/activity';
import { type DispatchDeps, dispatchEvent } from '../src/temporal/dispatch.js';
import { forEachBounded } from './for-each-bounded.js';

const DISPATCH_CONCURRENCY = 8;

export interface DispatchStrandedInput {
  /** Only events at least this old: a publish still in flight is not stranded. */
  olderThanMs: number;
  limit: number;
}

export interface DispatchStrandedResult {
  dispatched: number;
  failed: number;
  /** A full batch was found: there may be more. */
  more: boolean;
}

export function createDispatchStranded(dispatch: DispatchDeps) {
  return async function dispatchStranded({ olderThanMs, limit }: DispatchStrandedInput): Promise<DispatchStrandedResult> {
    const { events, more } = await dispatch.store.events.undispatched(new Date(Date.now() - olderThanMs), limit);
    let dispatched = 0;
    let failed = 0;
    // A few at a time: each waits for its `dispatched_at` mark, which waits up to 100 ms to share a
    // command (events-repo.ts); one after the other, a batch of 100 would take over 10 s.
    await forEachBounded(events, DISPATCH_CONCURRENCY, async (event) => {
      try {
        await dispatchEvent(dispatch, event);
        dispatched++;
      } catch (error) {
        // One bad event must not hold back the others; it stays undispatched for the next pass.
        failed++;
        log.warn('dispatching a stranded event failed', { eventId: event.id, accountId: event.account_id, error: String(error) });
      }
    });
    // More: a full batch dispatched, or markers of dispatched events left to clear (events-repo.ts).
    return { dispatched, failed, more: more && (dispatched > 0 || events.length === 0) };
  };
}
