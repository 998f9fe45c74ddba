// The webhook health workflow on Temporal's time-skipping test server, with real delivery workflows
// beside it. The activities are test doubles over one in-memory webhook (status, resuming flag, parked
// deliveries in event order), written the way activities/webhook-health.ts and the attempt activity
// use MongoDB: the subject is the workflows' part (thresholds, 410, the enable update, releasing parked
// deliveries one after the other through the release update, continue-as-new), which the store does
// not change. The real activities on FerretDB are covered by test/integration/webhook-health*.test.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptInput, AttemptOutcome, DeliveryInput } from '../../src/domain/delivery.js';
import type { HealthInput, HealthReport, HealthState } from '../../src/domain/health.js';
import { deliveryWorkflowId, healthWorkflowId } from '../../src/temporal/workflow-ids.js';
import { deletedSignal, enableUpdate, healthQuery, releaseUpdate, reportSignal } from '../../workflows/messages.js';
import { recordHistory, startTestEnvironment, withWorker } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

const HOUR = 3_600_000;

/** One webhook as MongoDB would hold it, and what its receiver got. */
function webhookWorld(webhookId: string) {
  const world = {
    status: 'active' as HealthState['status'],
    resuming: false,
    seq: 0,
    parked: [] as Array<{ eventNo: number; workflowId: string }>,
    received: [] as string[],
    calls: [] as string[],
    /** How long the receiver takes to answer event n (a later event answers faster). */
    receiverMs: (_eventNo: number) => 0,
  };
  const eventNo = (eventId: string) => Number(eventId.replace(/^evt_/, ''));
  const release = (workflowId: string) => env.client.workflow.getHandle(workflowId).executeUpdate(releaseUpdate);
  const activities = {
    async attemptDelivery(attempt: AttemptInput): Promise<AttemptOutcome> {
      // Held while unhealthy or disabled, and while parked ones are released (except those).
      if (world.status !== 'active' || (world.resuming && !attempt.released)) {
        world.parked.push({ eventNo: eventNo(attempt.eventId), workflowId: deliveryWorkflowId(webhookId, attempt.eventId) });
        return { result: 'parked', maxWaitMs: 7 * 24 * HOUR };
      }
      await sleep(world.receiverMs(eventNo(attempt.eventId)));
      world.received.push(attempt.eventId);
      return { result: 'succeeded', statusCode: 200 };
    },
    async expireParkedDelivery() {},
    async loadHealth(): Promise<HealthState> {
      world.calls.push('loadHealth');
      return {
        status: world.status,
        failureCount: 0,
        seq: 0,
        lastError: null,
        lastFailureAt: null,
        unhealthyAfter: 3,
        resuming: false,
        run: 1,
      };
    },
    async markUnhealthy() {
      world.calls.push('markUnhealthy');
      world.status = 'unhealthy';
      return true;
    },
    async enableWebhook() {
      world.calls.push('enableWebhook');
      world.status = 'active';
      world.resuming = true;
      // The statistics' reset: a seq above every report sent so far (the tests' reports stay below 1,000).
      return { seq: 1_000 + ++world.seq, parked: world.parked.length };
    },
    async disableWebhook() {
      world.calls.push('disableWebhook');
      world.status = 'disabled';
      return true;
    },
    async finishRelease() {
      world.calls.push('finishRelease');
      world.resuming = false;
    },
    /** Oldest event first, each after the previous one's attempt answered (store.deliveries.parked sorts). */
    async releaseParkedDeliveries() {
      world.calls.push('releaseParkedDeliveries');
      world.parked.sort((a, b) => a.eventNo - b.eventNo);
      let released = 0;
      for (let next = world.parked.shift(); next; next = world.parked.shift()) {
        const outcome = await release(next.workflowId);
        if (outcome.result === 'parked') return { released, more: true, stopped: true };
        released++;
      }
      return { released, more: false, stopped: false };
    },
    async cancelParkedDeliveries() {
      world.calls.push('cancelParkedDeliveries');
      const parked = world.parked.splice(0);
      await Promise.all(parked.map((p) => release(p.workflowId)));
      return parked.length;
    },
  };
  return { world, activities };
}

function healthInput(webhookId: string, historyMaxEvents = 10_000): HealthInput {
  return { webhookId, accountId: 'acc_wf', historyMaxEvents };
}

function failure(seq: number, unhealthyAfter = 3): HealthReport {
  return {
    kind: 'failure',
    seq,
    failureCount: seq,
    error: 'HTTP 500',
    at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
    unhealthyAfter,
  };
}

function deliveryInput(webhookId: string, n: number): DeliveryInput {
  return { deliveryId: `dlv_${n}`, webhookId, accountId: 'acc_wf', eventId: `evt_${n}`, attemptTimeoutMs: 15_000 };
}

describe('webhook health workflow (time-skipping)', () => {
  it('marks the webhook unhealthy at the threshold; the enable releases parked deliveries in event order', async () => {
    const webhookId = 'wh_unhealthy-then-enabled';
    const { world, activities } = webhookWorld(webhookId);
    // The first event's receiver answers slowest: the order holds only if each release waits until the
    // released attempt has answered. (The update's reply waits for it, and would even without the
    // handler's wait: the attempt is a local activity, so the workflow task that carries the reply ends
    // after it. The handler's wait is what makes the reply the attempt's outcome: delivery.test.ts.)
    world.receiverMs = (n) => (4 - n) * 150;
    await withWorker(env, activities, async (taskQueue) => {
      const health = await env.client.workflow.start('webhookHealthWorkflow', {
        taskQueue,
        workflowId: healthWorkflowId(webhookId),
        args: [healthInput(webhookId)],
      });
      for (const seq of [1, 2]) await health.signal(reportSignal, failure(seq));
      // (The query fails until loadHealth has answered: poll.)
      await expect.poll(() => health.query(healthQuery).catch(() => undefined)).toMatchObject({ status: 'active', failure_count: 2 });
      await health.signal(reportSignal, failure(3));
      await expect.poll(() => health.query(healthQuery)).toMatchObject({ status: 'unhealthy', failure_count: 3 });

      // Parked in the order 3, 1, 2: released in the order of their events.
      const deliveries = [];
      for (const n of [3, 1, 2]) {
        deliveries.push(
          await env.client.workflow.start('deliveryWorkflow', {
            taskQueue,
            workflowId: deliveryWorkflowId(webhookId, `evt_${n}`),
            args: [deliveryInput(webhookId, n)],
          }),
        );
        await expect.poll(() => world.parked.length).toBe(deliveries.length);
      }

      expect(await health.executeUpdate(enableUpdate)).toEqual({ status: 'active', resumed_deliveries: 3 });
      for (const delivery of deliveries) expect(await delivery.result()).toEqual({ status: 'succeeded', attempts: 1 });
      expect(world.received).toEqual(['evt_1', 'evt_2', 'evt_3']);
      await expect.poll(() => health.query(healthQuery)).toMatchObject({ status: 'active', failure_count: 0, resuming: false });
      // The pass after finishRelease runs once `resuming` is already false, so the query can answer
      // before that pass has started: poll.
      await expect
        .poll(() => world.calls)
        .toEqual(['loadHealth', 'markUnhealthy', 'enableWebhook', 'releaseParkedDeliveries', 'finishRelease', 'releaseParkedDeliveries']);

      await health.signal(deletedSignal);
      expect(await health.result()).toEqual({ ended: 'deleted' });
      await recordHistory(env, 'health-unhealthy-then-enabled', health);
      await recordHistory(env, 'delivery-parked-then-released-by-health', deliveries[1] as (typeof deliveries)[number]);
    });
  });

  it('disables the webhook on 410 Gone', async () => {
    const webhookId = 'wh_gone';
    const { world, activities } = webhookWorld(webhookId);
    await withWorker(env, activities, async (taskQueue) => {
      const health = await env.client.workflow.start('webhookHealthWorkflow', {
        taskQueue,
        workflowId: healthWorkflowId(webhookId),
        args: [healthInput(webhookId)],
      });
      await health.signal(reportSignal, { kind: 'gone', seq: 1, failureCount: 1, error: 'HTTP 410', at: '2026-01-01T00:00:00.000Z' });
      await expect.poll(() => health.query(healthQuery)).toMatchObject({ status: 'disabled', failure_count: 1, last_error: 'HTTP 410' });
      expect(world.status).toBe('disabled');
      await health.signal(deletedSignal);
      expect(await health.result()).toEqual({ ended: 'deleted' });
      expect(world.calls).toEqual(['loadHealth', 'disableWebhook', 'cancelParkedDeliveries']);
      await recordHistory(env, 'health-gone', health);
    });
  });

  it('continues as new once the history is long, carrying its state over', async () => {
    const webhookId = 'wh_continue-as-new';
    const { world, activities } = webhookWorld(webhookId);
    await withWorker(env, activities, async (taskQueue) => {
      const health = await env.client.workflow.start('webhookHealthWorkflow', {
        taskQueue,
        workflowId: healthWorkflowId(webhookId),
        args: [healthInput(webhookId, 30)],
      });
      const firstRunId = health.firstExecutionRunId;
      // Below the threshold, so each report is only a signal and a workflow task in history.
      let seq = 0;
      await expect
        .poll(async () => {
          await health.signal(reportSignal, failure(++seq, 1_000));
          return (await health.describe()).runId;
        })
        .not.toBe(firstRunId);
      await expect.poll(() => health.query(healthQuery)).toMatchObject({ status: 'active', failure_count: seq, run: 2 });
      expect(world.calls).toEqual(['loadHealth']);
      await health.signal(deletedSignal);
      expect(await health.result()).toEqual({ ended: 'deleted' });
      await recordHistory(env, 'health-continue-as-new', health);
    });
  });
});
