// Bulk recover (`deliveries.recover`): replays every failed delivery of one webhook whose event was
// published in a window, a page per activity, oldest first; `recoverStatus` reports the progress.
import { continueAsNew, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { RecoverCursor } from '../activities/recover.js';

type Activities = ReturnType<typeof createActivities>;

const { recoverPage } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes' });

const PAGE_SIZE = 100;
/** Pages per run, then continue-as-new: the history stays small even for the maximum recover. */
const PAGES_PER_RUN = 20;

export interface RecoverProgress {
  /** Failed deliveries in the window when the recover was requested (at most HERALD_RECOVER_MAX). */
  total: number;
  /** Replayed: their workflows were reset and deliver again. */
  done: number;
  /** Could not be replayed (e.g. the event or webhook no longer exists). */
  failed: number;
}

export interface RecoverStatus extends RecoverProgress {
  webhookId: string;
  since: number;
  until: number;
  finished: boolean;
}

export const recoverStatusQuery = defineQuery<RecoverStatus>('recoverStatus');

export interface RecoverInput {
  webhookId: string;
  /** Epoch ms: deliveries of events published in [since, until). */
  since: number;
  until: number;
  progress: RecoverProgress;
  /** Where the previous run stopped (continue-as-new); null at the start. */
  after: RecoverCursor | null;
}

export async function recoverWorkflow(input: RecoverInput): Promise<RecoverProgress> {
  const progress = { ...input.progress };
  let finished = false;
  setHandler(recoverStatusQuery, () => ({ webhookId: input.webhookId, since: input.since, until: input.until, ...progress, finished }));

  let after = input.after;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const remaining = progress.total - progress.done - progress.failed;
    // Deliveries that stopped being failed meanwhile (replayed one by one, say) are simply not found.
    if (remaining <= 0) break;
    const result = await recoverPage({
      webhookId: input.webhookId,
      since: input.since,
      until: input.until,
      after,
      limit: Math.min(PAGE_SIZE, remaining),
    });
    progress.done += result.replayed;
    progress.failed += result.failed;
    after = result.next;
    if (!after) break;
    if (page === PAGES_PER_RUN - 1) return continueAsNew<typeof recoverWorkflow>({ ...input, progress, after });
  }
  finished = true;
  return progress;
}
