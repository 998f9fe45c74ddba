// One workflow per (event, webhook). Each attempt is its own local activity, so every attempt is a
// marker in history (visible in the UI) without the server round trips of a regular activity; the
// wait between attempts is a durable timer.
import { proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { AttemptOutcome, DeliveryInput, DeliveryResult } from '../src/domain/delivery.js';
import { DeliveryStatus } from '../src/temporal/search-attributes.js';

type Activities = ReturnType<typeof createActivities>;

/** Room for the store reads and writes around the POST, which HERALD_DELIVERY_TIMEOUT bounds. */
const STORE_MARGIN_MS = 10_000;

function attemptActivities(attemptTimeoutMs: number) {
  return proxyLocalActivities<Activities>({
    startToCloseTimeout: attemptTimeoutMs + STORE_MARGIN_MS,
    // Only infrastructure errors (e.g. MongoDB briefly down) are thrown; receiver failures come back as
    // data. So these retries never count as attempts against the receiver.
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
}

function setStatus(status: 'pending' | 'retrying' | 'succeeded' | 'failed' | 'parked' | 'cancelled'): void {
  upsertSearchAttributes([{ key: DeliveryStatus, value: status }]);
}

export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryResult> {
  const { attemptDelivery } = attemptActivities(input.attemptTimeoutMs);
  for (let attempt = 1; ; attempt++) {
    const outcome: AttemptOutcome = await attemptDelivery({ deliveryId: input.deliveryId, attempt, timeoutMs: input.attemptTimeoutMs });
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
    }
  }
}
