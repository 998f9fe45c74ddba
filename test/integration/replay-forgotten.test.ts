// Replay and recover when Temporal no longer has a delivery's workflow (past the namespace's retention,
// or deleted by an operator): the replay starts it afresh under the same id; when the event is gone
// too (retention deleted it), there is nothing to deliver, and a bulk recover counts it as failed.
// Temporal forgets here through DeleteWorkflowExecution, what retention does to a closed workflow. The
// dev server deletes a closed workflow only after its visibility records are settled (≈35 s here), so
// every delivery these tests need forgotten fails and is deleted once, in beforeAll, concurrently.
import { WorkflowNotFoundError } from '@temporalio/client';
import { TRPCClientError } from '@trpc/client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { deliveryId as deliveryFor } from '../../src/domain/ids.js';
import { eventKey } from '../../src/store/events-repo.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, type Reply, startReceiver } from '../support/receiver.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };

let herald: TestHerald;
let mongo: MongoClient;
let receiver: Receiver;
const receiverState = { fixed: false };
let account: Awaited<ReturnType<TestHerald['newAccount']>>;
/** One webhook for the single replays, one for the recover (which takes all of a webhook's failures). */
let replayWebhook: { id: string };
let recoverWebhook: { id: string };
let recoverSince: string;
type Published = { id: string };
let forgotten: Published;
let forgottenAndEventGone: Published;
let recoverEvents: Published[];

/** Deletes the (closed) workflow, as retention would. */
async function forget(workflowId: string): Promise<void> {
  const temporal = herald.deps.temporal;
  await temporal.workflowService.deleteWorkflowExecution({ namespace: temporal.options.namespace, workflowExecution: { workflowId } });
}

async function isForgotten(workflowId: string): Promise<boolean> {
  return herald.deps.temporal.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => false,
      (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return true;
        throw error;
      },
    );
}

/** Deletes the event's record, as retention does. */
async function deleteEvent(eventId: string): Promise<void> {
  const events = mongo.db(herald.deps.config.mongodb.database).collection<{ _id: string }>('events');
  expect((await events.deleteOne({ _id: eventKey(account.accountId, eventId) })).deletedCount).toBe(1);
}

beforeAll(async () => {
  herald = await startTestHerald({
    // Two attempts per run.
    HERALD_RETRY_SCHEDULE: '100ms',
    // Failing on purpose here: keep the health workflow from parking these deliveries.
    HERALD_UNHEALTHY_AFTER: '1000000',
  });
  mongo = await MongoClient.connect(herald.deps.config.mongodb.uri ?? inject('mongodbUri'));
  receiver = await startReceiver((): Reply => (receiverState.fixed ? { status: 200 } : { status: 500 }));
  account = await herald.newAccount();
  const { client } = account;
  replayWebhook = await client.webhooks.create.mutate({ url: `${receiver.url}/replay`, event_types: ['message.sent'] });
  recoverWebhook = await client.webhooks.create.mutate({ url: `${receiver.url}/recover`, event_types: ['message.received'] });
  recoverSince = new Date(Date.now() - 1_000).toISOString();
  const publish = (type: 'message.sent' | 'message.received', n: number) =>
    client.events.publish.mutate({ type, data: { message: { ...message, id: `msg_${n}` } } });
  forgotten = await publish('message.sent', 1);
  forgottenAndEventGone = await publish('message.sent', 2);
  recoverEvents = [await publish('message.received', 3), await publish('message.received', 4), await publish('message.received', 5)];
  const lost = recoverEvents[1] as Published;
  const deliveries = [
    [replayWebhook.id, forgotten.id],
    [replayWebhook.id, forgottenAndEventGone.id],
    ...recoverEvents.map((e) => [recoverWebhook.id, e.id]),
  ] as const;
  for (const [webhookId, eventId] of deliveries)
    await herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhookId, eventId)).result();

  const toForget = [
    deliveryWorkflowId(replayWebhook.id, forgotten.id),
    deliveryWorkflowId(replayWebhook.id, forgottenAndEventGone.id),
    deliveryWorkflowId(recoverWebhook.id, lost.id),
  ];
  await Promise.all(toForget.map(forget));
  await deleteEvent(forgottenAndEventGone.id);
  await deleteEvent(lost.id);
  await vi.waitFor(
    async () => {
      if (!(await Promise.all(toForget.map(isForgotten))).every(Boolean)) throw new Error('Temporal still has a deleted workflow');
    },
    { timeout: 100_000, interval: 1_000 },
  );
  receiverState.fixed = true;
});
afterAll(async () => {
  await receiver?.close();
  await mongo?.close();
  await herald?.stop();
});

describe('replay of a delivery Temporal has forgotten', () => {
  it('starts the workflow afresh under the same id, and keeps the earlier attempts', async () => {
    const { client } = account;
    const id = deliveryFor(replayWebhook.id, forgotten.id);
    const workflowId = deliveryWorkflowId(replayWebhook.id, forgotten.id);
    const failed = await client.deliveries.get.query({ delivery_id: id });
    expect(failed.status).toBe('failed');

    const replay = await client.deliveries.replay.mutate({ delivery_id: id });
    expect(replay).toMatchObject({ id, workflow_id: workflowId, status: 'pending' });
    expect(replay.run_id).not.toBe(failed.run_id);

    await expect.poll(async () => (await client.deliveries.get.query({ delivery_id: id })).status).toBe('succeeded');
    const delivered = await client.deliveries.get.query({ delivery_id: id });
    expect(delivered.attempts.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'success'],
    ]);
    expect(delivered.run_id).toBe(replay.run_id);
    expect((await herald.deps.temporal.workflow.getHandle(workflowId).describe()).runId).toBe(replay.run_id);
  });

  it('answers NOT_FOUND when the event is gone too, and sends nothing', async () => {
    const { client } = account;
    const id = deliveryFor(replayWebhook.id, forgottenAndEventGone.id);
    const sent = receiver.requests.length;
    const error = await client.deliveries.replay.mutate({ delivery_id: id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'NOT_FOUND' });
    expect((await client.deliveries.get.query({ delivery_id: id })).status).toBe('failed');
    expect(await isForgotten(deliveryWorkflowId(replayWebhook.id, forgottenAndEventGone.id))).toBe(true);
    expect(receiver.requests.length).toBe(sent);
  });
});

describe('deliveries.recover', () => {
  it('counts a delivery it cannot replay (forgotten, event gone) as failed and replays the rest', async () => {
    const { client } = account;
    const recovery = await client.deliveries.recover.mutate({ webhook_id: recoverWebhook.id, since: recoverSince });
    expect(recovery.total).toBe(3);
    await expect
      .poll(() => client.deliveries.recover_status.query({ recovery_id: recovery.recovery_id }))
      .toMatchObject({ total: 3, done: 2, failed: 1, finished: true });
    const lost = recoverEvents[1];
    for (const event of recoverEvents) {
      await expect
        .poll(async () => (await client.deliveries.get.query({ delivery_id: deliveryFor(recoverWebhook.id, event.id) })).status)
        .toBe(event === lost ? 'failed' : 'succeeded');
    }
  });
});
