// A large fan-out (more matches than HERALD_DIRECT_FANOUT_MAX), in two phases:
//  1. attempt pages, one after the other: each records a page of matching webhooks' deliveries and
//     makes their first attempts itself, concurrently (activities/fan-out.ts);
//  2. start pages, a few at a time: each starts one attempt page's delivery workflows, which adopt the
//     recorded outcomes and carry on from there (retries, parking, replay).
// Why: Temporal starts a few dozen workflows a second here, so POSTs paced by workflow starts made a
// 1,000-webhook fan-out take ~20 s; POSTed first, the receivers have the event in a few seconds and
// every (event, webhook) pair still gets its own workflow (deterministic id, search attributes, UI
// link, replay by reset).
//
// Why an activity with the client rather than child workflows: a child costs this history ~3 events and
// a server round trip each, cannot be started eagerly, and must be started before continue-as-new; a
// page is 6 events whatever its size, the deliveries are started exactly as `events.publish` starts
// them (same ids, search attributes, summary, reuse policy), and a retried page is harmless because the
// ids are deterministic. Deliveries do not report back to the fan-out, so nothing is lost by that.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { FANOUT_ATTEMPT_CONCURRENCY } from '../src/domain/delivery.js';

type Activities = ReturnType<typeof createActivities>;

/** Pages (attempt or start) per run: the history stays small (≈6 events a page) however many webhooks match. */
const PAGES_PER_RUN = 10;
/** Start pages in flight at once. */
const START_PAGES_AT_ONCE = 2;
/** Room for the page's store reads and writes around its POSTs. */
const PAGE_MARGIN_MS = 60_000;

export interface FanOutInput {
  accountId: string;
  eventId: string;
  pageSize: number;
  /** Where the previous run stopped (continue-as-new); null at the start. */
  after: string | null;
  /** Deliveries started by the previous runs. */
  started: number;
  /** HERALD_DELIVERY_TIMEOUT at dispatch. */
  attemptTimeoutMs: number;
  /** Set by continue-as-new once every page was attempted. */
  attempted?: boolean;
  /** Carried by continue-as-new: the webhook ids of the attempted pages not started yet, page by page. */
  toStart?: string[][];
}

export async function fanOutWorkflow(input: FanOutInput): Promise<{ started: number }> {
  const { accountId, eventId, pageSize } = input;
  // An attempt page's POSTs go in waves of FANOUT_ATTEMPT_CONCURRENCY, each bounded by the attempt timeout.
  const { fanOutAttemptPage } = proxyActivities<Activities>({
    startToCloseTimeout: Math.ceil(pageSize / FANOUT_ATTEMPT_CONCURRENCY) * input.attemptTimeoutMs + PAGE_MARGIN_MS,
  });
  const { fanOutStartPage } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes' });
  let { after, started } = input;
  let attempted = input.attempted ?? false;
  const toStart = [...(input.toStart ?? [])];
  let pages = 0;
  const next = () => continueAsNew<typeof fanOutWorkflow>({ ...input, after, started, attempted, toStart });

  while (!attempted) {
    if (pages >= PAGES_PER_RUN) return next();
    const result = await fanOutAttemptPage({ accountId, eventId, after, pageSize, attemptTimeoutMs: input.attemptTimeoutMs });
    pages++;
    if (result.webhookIds.length > 0) toStart.push(result.webhookIds);
    if (result.next) after = result.next;
    else attempted = true;
  }
  while (toStart.length > 0) {
    if (pages >= PAGES_PER_RUN) return next();
    const batch = toStart.slice(0, Math.min(START_PAGES_AT_ONCE, PAGES_PER_RUN - pages));
    const results = await Promise.all(batch.map((webhookIds) => fanOutStartPage({ accountId, eventId, webhookIds })));
    toStart.splice(0, batch.length);
    pages += batch.length;
    for (const result of results) started += result.started;
  }
  return { started };
}
