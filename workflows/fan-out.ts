// A large fan-out (more matches than HERALD_DIRECT_FANOUT_MAX): pages through the matching webhooks,
// each page one activity that records and starts that page's delivery workflows.
//
// Why an activity with the client rather than child workflows: a child costs this history ~3 events and
// a server round trip each, cannot be started eagerly, and must be started before continue-as-new; a
// page is 6 events whatever its size, the deliveries are started exactly as `events.publish` starts
// them (same ids, search attributes, summary, reuse policy), and a retried page is harmless because the
// ids are deterministic. Deliveries do not report back to the fan-out, so nothing is lost by that.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

const { fanOutPage } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes' });

/** Pages per run: the history stays small (≈6 events a page) however many webhooks match. */
const PAGES_PER_RUN = 10;

export interface FanOutInput {
  accountId: string;
  eventId: string;
  pageSize: number;
  /** Where the previous run stopped (continue-as-new); null at the start. */
  after: string | null;
  /** Deliveries started by the previous runs. */
  started: number;
}

export async function fanOutWorkflow(input: FanOutInput): Promise<{ started: number }> {
  let { after, started } = input;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const result = await fanOutPage({ accountId: input.accountId, eventId: input.eventId, after, pageSize: input.pageSize });
    started += result.started;
    if (!result.next) return { started };
    after = result.next;
  }
  return continueAsNew<typeof fanOutWorkflow>({ ...input, after, started });
}
