// One workflow per (event, webhook). Each attempt is its own local activity, so every attempt is a
// marker in history (visible in the UI) without the server round trips of a regular activity; the
// wait between attempts is a durable timer.
import {
  allHandlersFinished,
  condition,
  patched,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { type AttemptOutcome, attemptActivityTimeoutMs, type DeliveryInput, type DeliveryResult } from '../src/domain/delivery.js';
import { DeliveryStatus } from '../src/temporal/search-attributes.js';
import { ACTIVITY_RETRY } from './activity-retry.js';
import { releaseUpdate } from './messages.js';

type Activities = ReturnType<typeof createActivities>;

/** Marks histories that may contain `deferred` attempts (activities/in-flight-limit.ts). */
const DEFERRED_ATTEMPTS_PATCH = 'deferred-attempts';

function attemptActivities(attemptTimeoutMs: number) {
  return proxyLocalActivities<Activities>({
    startToCloseTimeout: attemptActivityTimeoutMs(attemptTimeoutMs),
    // Only infrastructure errors are thrown (see activity-retry.ts): never an attempt against the receiver.
    retry: ACTIVITY_RETRY,
  });
}

function setStatus(status: 'pending' | 'retrying' | 'succeeded' | 'failed' | 'parked' | 'cancelled'): void {
  upsertSearchAttributes([{ key: DeliveryStatus, value: status }]);
}

export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  const { attemptDelivery, expireParkedDelivery } = attemptActivities(input.attemptTimeoutMs);
  // Parking: the health workflow releases a parked delivery with this update, which completes with the
  // outcome of the first attempt that starts after it, so deliveries can be released strictly in order.
  let released = false;
  let started = 0;
  let finished = 0;
  let last: AttemptOutcome | undefined;
  // A large fan-out made the first attempt: the first turn adopts its outcome (if still recorded).
  let adopt = input.preAttempted === true;
  setHandler(releaseUpdate, async () => {
    released = true;
    const mark = started;
    await condition(() => finished > mark);
    return last as AttemptOutcome;
  });
  // Consecutive `deferred` turns (see below); 0 on the normal path, where the input stays as it was.
  let deferrals = 0;
  const attempt = async (n: number): Promise<AttemptOutcome> => {
    // A release that arrives during this attempt is kept for the next one.
    const wasReleased = released;
    released = false;
    const turn = ++started;
    const adopting = adopt;
    adopt = false;
    const outcome = await attemptDelivery({
      deliveryId: input.deliveryId,
      webhookId: input.webhookId,
      accountId: input.accountId,
      eventId: input.eventId,
      attempt: n,
      timeoutMs: input.attemptTimeoutMs,
      ...(wasReleased ? { released: true } : {}),
      ...(adopting ? { adopt: true } : {}),
      ...(deferrals > 0 ? { deferrals } : {}),
    });
    if (outcome.result === 'deferred') {
      // Nothing was sent: a release keeps waiting for the attempt that is made, and still lets it through.
      deferrals++;
      if (wasReleased) released = true;
      return outcome;
    }
    deferrals = 0;
    last = outcome;
    finished = turn;
    return outcome;
  };

  const result = await deliver(
    attempt,
    async (maxWaitMs) => {
      setStatus('parked');
      return released || (await condition(() => released, maxWaitMs));
    },
    () => expireParkedDelivery({ deliveryId: input.deliveryId }),
  );
  // A release update answered by the last attempt completes in this same activation.
  await condition(allHandlersFinished);
  return result;
}

async function deliver(
  attemptDelivery: (attempt: number) => Promise<AttemptOutcome>,
  park: (maxWaitMs: number) => Promise<boolean>,
  expire: () => Promise<void>,
): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    const outcome: AttemptOutcome = await attemptDelivery(attempt);
    switch (outcome.result) {
      case 'succeeded':
        setStatus('succeeded');
        return { status: 'succeeded', attempts: attempt };
      case 'retry':
        setStatus('retrying');
        await sleep(outcome.delayMs);
        break;
      case 'failed':
        setStatus('failed');
        return { status: 'failed', attempts: attempt };
      case 'gone':
        setStatus('failed');
        return { status: 'gone', attempts: attempt };
      case 'cancelled':
        setStatus('cancelled');
        return { status: 'cancelled', attempts: attempt - 1 };
      case 'deferred':
        // The webhook already had its cap of attempts in flight on the worker (a slow or hanging endpoint):
        // nothing was sent, so this turn is not an attempt and not a failure; wait briefly and try again.
        // Histories from before deferrals never reach this case; the patch marker (written once, on the
        // first deferral only) keeps the old behaviour for any history without it.
        if (patched(DEFERRED_ATTEMPTS_PATCH)) {
          attempt--;
          await sleep(outcome.delayMs);
        }
        break;
      case 'parked':
        // Nothing was sent, so this turn does not use up the retry schedule.
        attempt--;
        if (!(await park(outcome.maxWaitMs))) {
          await expire();
          setStatus('failed');
          return { status: 'failed', attempts: attempt };
        }
        break;
    }
  }
}
