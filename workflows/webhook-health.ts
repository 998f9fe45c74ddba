// One long-running workflow per webhook that owns its status: it counts consecutive failed attempts
// (reported by the attempt activity only on failures and on the first success after failures), marks
// the webhook unhealthy and tells the account about it, disables it on 410 Gone or on request, and
// releases parked deliveries, in the order their events were published, when the webhook is enabled.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  deprecatePatch,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { applyReport, type HealthEnd, type HealthInput, type HealthState, healthView } from '../src/domain/health.js';
import { ACTIVITY_RETRY } from './activity-retry.js';
import { deletedSignal, disableUpdate, enableUpdate, healthQuery, reportSignal } from './messages.js';

type Activities = ReturnType<typeof createActivities>;

const retry = ACTIVITY_RETRY;
/**
 * Runs recorded since same-seq reports apply carry this patch's marker; no released version ran the
 * old rule, so the rule is gone and the patch only deprecated (its marker stays, so those runs, health
 * workflows live for ever, still replay). Remove once no running health workflow has the marker.
 */
const SAME_SEQ_REPORTS_APPLY = 'same-seq-reports-apply';
const { loadHealth, enableWebhook, disableWebhook, markUnhealthy, finishRelease, cancelParkedDeliveries } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry,
});
// One page of parked deliveries, released one after the other; each waits for its attempt's answer.
const { releaseParkedDeliveries } = proxyActivities<Activities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '2 minutes', retry });

export async function webhookHealthWorkflow(input: HealthInput): Promise<HealthEnd> {
  const { webhookId } = input;
  let state: HealthState | undefined = input.state;
  let deleted = false;
  let handledInRun = 0;
  let draining = false;
  let drainAgain = false;

  // Transitions (each an activity or two) run one at a time, in arrival order. A promise chain, not a
  // flag checked by `condition`: two conditions could see the flag free in the same activation.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: (s: HealthState) => Promise<T>): Promise<T> => {
    const run = tail.then(async () => {
      await condition(() => state !== undefined || deleted);
      if (deleted || !state) throw ApplicationFailure.nonRetryable('the webhook was deleted', 'WebhookDeleted');
      return fn(state);
    });
    tail = run.catch(() => undefined);
    return run;
  };

  const releaseParked = async (): Promise<void> => {
    for (;;) {
      const page = await releaseParkedDeliveries({ webhookId });
      if (page.stopped) return;
      if (!page.more) break;
    }
    // New deliveries no longer wait. One that parked while this flag was being cleared is caught by
    // the pass below (the attempt re-reads the hold after parking, so none can slip between).
    const finished = await exclusive(async (now) => {
      // Another enable meanwhile: its pass comes next and finishes instead.
      if (drainAgain || now.status !== 'active') return false;
      await finishRelease({ webhookId });
      now.resuming = false;
      return true;
    });
    if (!finished) return;
    for (;;) {
      const page = await releaseParkedDeliveries({ webhookId });
      if (page.stopped || !page.more) return;
    }
  };
  // Releasing runs beside the handlers, not inside the lock: a failure reported meanwhile must still
  // be able to mark the webhook unhealthy, which stops the release.
  const startRelease = (): void => {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    void (async () => {
      try {
        do {
          drainAgain = false;
          await releaseParked();
        } while (drainAgain && !deleted);
      } catch (error) {
        ignoreDeleted(error);
      } finally {
        draining = false;
      }
    })();
  };

  // Handlers first: an update that finds no handler at the end of the first activation is rejected.
  setHandler(reportSignal, async (report) => {
    await exclusive(async (s) => {
      handledInRun++;
      deprecatePatch(SAME_SEQ_REPORTS_APPLY);
      const todo = applyReport(s, report);
      if (todo === 'unhealthy') {
        if (await markUnhealthy({ webhookId, failureCount: s.failureCount, lastError: s.lastError, lastFailureAt: s.lastFailureAt })) {
          s.status = 'unhealthy';
          s.resuming = false;
        }
      } else if (todo === 'gone') {
        await disableWebhook({ webhookId });
        s.status = 'disabled';
        s.resuming = false;
      }
    }).catch(ignoreDeleted);
  });

  setHandler(enableUpdate, () =>
    exclusive(async (s) => {
      handledInRun++;
      const enabled = await enableWebhook({ webhookId });
      if (!enabled) throw ApplicationFailure.nonRetryable('the webhook was deleted', 'WebhookDeleted');
      s.status = 'active';
      s.resuming = true;
      // Reports from before the enable carry an older seq and are ignored from now on.
      if (enabled.seq > s.seq) {
        s.seq = enabled.seq;
        s.failureCount = 0;
      }
      startRelease();
      return { status: 'active' as const, resumed_deliveries: enabled.parked };
    }),
  );

  setHandler(disableUpdate, () =>
    exclusive(async (s) => {
      handledInRun++;
      if (!(await disableWebhook({ webhookId }))) throw ApplicationFailure.nonRetryable('the webhook was deleted', 'WebhookDeleted');
      s.status = 'disabled';
      s.resuming = false;
      return { status: 'disabled' as const };
    }),
  );

  setHandler(deletedSignal, () => {
    deleted = true;
  });

  setHandler(healthQuery, () => {
    if (!state) throw new Error('the health state is still loading');
    return healthView(webhookId, state);
  });

  if (!state) {
    const loaded = await loadHealth({ webhookId });
    if (loaded) state = loaded;
    else deleted = true;
    // A release interrupted by a crash or a terminate (the flag is still set in MongoDB) goes on.
    if (state?.resuming && state.status === 'active') startRelease();
  }

  await condition(() => deleted || (continueAsNewDue(input, handledInRun) && !draining && allHandlersFinished()));
  if (deleted) {
    await cancelParkedDeliveries({ webhookId });
    await condition(allHandlersFinished);
    return { ended: 'deleted' };
  }
  const carried = state as HealthState;
  return continueAsNew<typeof webhookHealthWorkflow>({ ...input, state: { ...carried, run: carried.run + 1 } });
}

/** Only once this run has done something: a fresh run must never continue-as-new straight away. */
function continueAsNewDue(input: HealthInput, handledInRun: number): boolean {
  const info = workflowInfo();
  return handledInRun > 0 && (info.continueAsNewSuggested || info.historyLength >= input.historyMaxEvents);
}

function ignoreDeleted(error: unknown): void {
  if (error instanceof ApplicationFailure && error.type === 'WebhookDeleted') return;
  throw error;
}
