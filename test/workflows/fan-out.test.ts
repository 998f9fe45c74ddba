// The large fan-out's workflow on Temporal's time-skipping test server: attempt pages one after the
// other, then start pages a few at a time, across continue-as-new. The page activities are test doubles
// over a list of matching webhook ids (the real pages record deliveries in MongoDB, POST and start
// workflows: test/integration/fan-out.test.ts); the subject is the workflow's paging and carry-over.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutWorkflowId } from '../../src/temporal/workflow-ids.js';
import type { FanOutInput } from '../../workflows/fan-out.js';
import { recordHistory, startTestEnvironment, withWorker } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

describe('fan-out workflow (time-skipping)', () => {
  it('attempts every page, then starts every page once, over three runs', async () => {
    const webhooks = Array.from({ length: 25 }, (_, i) => `wh_${String(i).padStart(2, '0')}`);
    const attempted: string[][] = [];
    const started: string[][] = [];
    let startedEarly = false;
    const activities = {
      async fanOutAttemptPage({ after, pageSize }: { after: string | null; pageSize: number }) {
        const from = after === null ? 0 : webhooks.indexOf(after) + 1;
        const page = webhooks.slice(from, from + pageSize);
        attempted.push(page);
        const next = from + pageSize < webhooks.length ? (page.at(-1) ?? null) : null;
        return { attempted: page.length, webhookIds: page, next };
      },
      async fanOutStartPage({ webhookIds }: { webhookIds: string[] }) {
        // Started only once every page was attempted (the first attempts go out before any start).
        if (attempted.flat().length < webhooks.length) startedEarly = true;
        started.push(webhookIds);
        return { started: webhookIds.length };
      },
    };
    const input: FanOutInput = { accountId: 'acc_wf', eventId: 'evt_fan', pageSize: 2, after: null, started: 0, attemptTimeoutMs: 15_000 };
    await withWorker(env, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start('fanOutWorkflow', {
        taskQueue,
        workflowId: fanOutWorkflowId('acc_wf', 'evt_fan'),
        args: [input],
      });
      expect(await handle.result()).toEqual({ started: 25 });
      // 13 attempt pages and 13 start pages, 10 pages a run.
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
      await recordHistory(env, 'fan-out', handle);
    });
    expect(attempted).toHaveLength(13);
    expect(attempted.flat()).toEqual(webhooks);
    expect(startedEarly).toBe(false);
    // Two start pages run at once, so they may finish in either order; each page is started once.
    expect([...started].sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''))).toEqual(attempted);
  });
});
