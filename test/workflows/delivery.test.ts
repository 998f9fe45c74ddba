// The delivery workflow on Temporal's time-skipping test server: a 27 h retry schedule runs in seconds.
// The attempt is a test double of the `attemptDelivery` activity (scripted outcomes, delays from the
// real retry schedule): the subject is the workflow's turns, timers, parking and release update, which
// no receiver or store changes. The real activities with a real receiver and store run the same 27 h
// schedule in test/integration/delivery-time-skipping.test.ts (and on the dev server in delivery-engine).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import type { AttemptInput, AttemptOutcome, DeliveryInput, DeliveryResult } from '../../src/domain/delivery.js';
import { nextRetryDelay } from '../../src/domain/retry-schedule.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { releaseUpdate } from '../../workflows/messages.js';
import { type HistoryEvent, timerDurations } from '../support/temporal.js';
import { recordHistory, startTestEnvironment, withWorker } from '../support/time-skipping.js';

const { retryScheduleMs, retryJitter } = loadConfig({}).delivery;
const policy = { scheduleMs: retryScheduleMs, jitter: retryJitter };
const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

function input(name: string): DeliveryInput {
  return { deliveryId: `dlv_${name}`, webhookId: `wh_${name}`, accountId: 'acc_wf', eventId: `evt_${name}`, attemptTimeoutMs: 15_000 };
}

/** Runs one delivery with `outcome(attempt)` as its attempts; the attempts' inputs and the history. */
async function deliver(
  name: string,
  outcome: (attempt: AttemptInput) => AttemptOutcome,
  during?: (workflowId: string) => Promise<void>,
): Promise<{ result: DeliveryResult; attempts: AttemptInput[]; events: HistoryEvent[] }> {
  const attempts: AttemptInput[] = [];
  const activities = {
    async attemptDelivery(attempt: AttemptInput) {
      attempts.push(attempt);
      return outcome(attempt);
    },
    async expireParkedDelivery() {},
  };
  return withWorker(env, activities, async (taskQueue) => {
    const handle = await env.client.workflow.start('deliveryWorkflow', {
      taskQueue,
      workflowId: deliveryWorkflowId(`wh_${name}`, `evt_${name}`),
      args: [input(name)],
    });
    await during?.(handle.workflowId);
    const result: DeliveryResult = await handle.result();
    await recordHistory(env, `delivery-${name}`, handle);
    return { result, attempts, events: (await handle.fetchHistory()).events ?? [] };
  });
}

describe('delivery workflow (time-skipping)', () => {
  it('succeeds on the first try without a timer', async () => {
    const { result, attempts, events } = await deliver('succeeded-first-try', () => ({ result: 'succeeded', statusCode: 200 }));
    expect(result).toEqual({ status: 'succeeded', attempts: 1 });
    expect(attempts.map((a) => a.attempt)).toEqual([1]);
    expect(timerDurations(events)).toEqual([]);
  });

  it('waits the retry delays the attempts return, then succeeds', async () => {
    const { result, attempts, events } = await deliver('retried-then-succeeded', ({ attempt }) =>
      attempt < 3
        ? { result: 'retry', delayMs: retryScheduleMs[attempt - 1] as number, statusCode: 503, error: 'HTTP 503' }
        : { result: 'succeeded', statusCode: 200 },
    );
    expect(result).toEqual({ status: 'succeeded', attempts: 3 });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(timerDurations(events)).toEqual([5_000, 300_000]);
  });

  it('runs the whole default schedule (≈27 h, 8 attempts) and fails', async () => {
    const delays: number[] = [];
    const { result, attempts, events } = await deliver('failed-after-schedule', ({ attempt }) => {
      const delayMs = nextRetryDelay(policy, attempt, Math.random);
      if (delayMs === undefined) return { result: 'failed', statusCode: 500, error: 'HTTP 500' };
      delays.push(delayMs);
      return { result: 'retry', delayMs, statusCode: 500, error: 'HTTP 500' };
    });
    expect(result).toEqual({ status: 'failed', attempts: retryScheduleMs.length + 1 });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(timerDurations(events)).toEqual(delays);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(27 * HOUR * (1 - retryJitter));
    expect(total).toBeLessThan(27.2 * HOUR * (1 + retryJitter));
  });

  it('waits after a deferred turn without counting it as an attempt, telling the next turn how many', async () => {
    const { result, attempts, events } = await deliver('deferred-then-succeeded', (attempt) =>
      (attempt.deferrals ?? 0) < 2 ? { result: 'deferred', delayMs: 250 } : { result: 'succeeded', statusCode: 200 },
    );
    expect(result).toEqual({ status: 'succeeded', attempts: 1 });
    expect(attempts.map((a) => [a.attempt, a.deferrals])).toEqual([
      [1, undefined],
      [1, 1],
      [1, 2],
    ]);
    expect(timerDurations(events)).toEqual([250, 250]);
  });

  it('stops at 410 Gone', async () => {
    const { result, attempts } = await deliver('gone', () => ({ result: 'gone' }));
    expect(result).toEqual({ status: 'gone', attempts: 1 });
    expect(attempts).toHaveLength(1);
  });

  it('parks without using up the schedule, and the release update answers with the next attempt', async () => {
    let answer: AttemptOutcome | undefined;
    const { result, attempts } = await deliver(
      'parked-then-released',
      (attempt) => (attempt.released ? { result: 'succeeded', statusCode: 200 } : { result: 'parked', maxWaitMs: 7 * 24 * HOUR }),
      async (workflowId) => {
        // Released once parked (an update before that would be kept for the first attempt).
        const handle = env.client.workflow.getHandle(workflowId);
        await expect.poll(async () => (await handle.describe()).searchAttributes.DeliveryStatus?.[0]).toBe('parked');
        answer = await handle.executeUpdate(releaseUpdate);
      },
    );
    expect(answer).toEqual({ result: 'succeeded', statusCode: 200 });
    expect(attempts.map((a) => [a.attempt, a.released ?? false])).toEqual([
      [1, false],
      [1, true],
    ]);
    expect(result).toEqual({ status: 'succeeded', attempts: 1 });
  });

  it('fails a parked delivery nobody releases once its wait is over', async () => {
    let expired = 0;
    const activities = {
      async attemptDelivery(): Promise<AttemptOutcome> {
        return { result: 'parked', maxWaitMs: 7 * 24 * HOUR };
      },
      async expireParkedDelivery() {
        expired++;
      },
    };
    const result = await withWorker(env, activities, (taskQueue) =>
      env.client.workflow.execute('deliveryWorkflow', {
        taskQueue,
        workflowId: deliveryWorkflowId('wh_parked-expired', 'evt_parked-expired'),
        args: [input('parked-expired')],
      }),
    );
    expect(result).toEqual({ status: 'failed', attempts: 0 });
    expect(expired).toBe(1);
  });
});
