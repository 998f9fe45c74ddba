// Run by the reconciler schedule: dispatches events stored but never dispatched (the API died between
// storing and starting), so that an accepted event is never stranded.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

const { dispatchStranded } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes' });

const BATCH = 100;
/** A backlog larger than this waits for the next run (the schedule skips runs that would overlap). */
const BATCHES_PER_RUN = 20;

export interface ReconcileInput {
  olderThanMs: number;
}

export async function reconcilerWorkflow({ olderThanMs }: ReconcileInput): Promise<{ dispatched: number; failed: number }> {
  const total = { dispatched: 0, failed: 0 };
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const result = await dispatchStranded({ olderThanMs, limit: BATCH });
    total.dispatched += result.dispatched;
    total.failed += result.failed;
    if (!result.more) break;
  }
  return total;
}
