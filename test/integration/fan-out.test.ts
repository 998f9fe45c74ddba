// Large fan-outs: above HERALD_DIRECT_FANOUT_MAX matches, one fan-out workflow (id from the event id)
// pages through the webhooks and continues as new; publish answers once Temporal accepted it.
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutWorkflowId } from '../../src/temporal/workflow-ids.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { startReceiver } from '../support/receiver.js';
import { visible } from '../support/temporal.js';

const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };

let herald: TestHerald;
beforeAll(async () => {
  // One webhook per page and ten pages per run: 12 webhooks take two runs of the fan-out workflow.
  herald = await startTestHerald({ HERALD_DIRECT_FANOUT_MAX: '2', HERALD_FANOUT_PAGE_SIZE: '1' });
});
afterAll(async () => {
  await herald?.stop();
});

describe('fan-out', () => {
  it('starts every delivery through one fan-out workflow that continues as new', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    const webhooks = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.webhooks.create.mutate({ url: `${receiver.url}/${i}`, event_types: ['message.sent'] })),
    );
    const event = await client.events.publish.mutate({ type: 'message.sent', event_id: 'big-1', data: { message } });

    // Publish answered after Temporal accepted the fan-out workflow, and the event counts as dispatched.
    const fanOut = herald.deps.temporal.workflow.getHandle(fanOutWorkflowId(accountId, event.id));
    expect((await fanOut.describe()).type).toBe('fanOutWorkflow');
    expect((await herald.deps.store.events.get(accountId, event.id))?.dispatched_at).toBeInstanceOf(Date);

    expect(await fanOut.result()).toEqual({ started: 12 });
    await receiver.waitFor(12);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    const { deliveries } = await client.deliveries.list.query({ event_id: event.id, limit: 100 });
    expect(deliveries.map((d) => d.webhook_id).sort()).toEqual(webhooks.map((w) => w.id).sort());
    await expect
      .poll(async () => (await visible(herald.deps.temporal, `WorkflowId = "${fanOutWorkflowId(accountId, event.id)}"`)).length, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(2);

    // The same event again: nothing new is started.
    await client.events.publish.mutate({ type: 'message.sent', event_id: 'big-1', data: { message } });
    await expect.poll(async () => (await client.deliveries.list.query({ status: 'succeeded', limit: 100 })).deliveries.length).toBe(12);
    expect(receiver.requests).toHaveLength(12);
    await receiver.close();
  });

  it('starts up to HERALD_DIRECT_FANOUT_MAX deliveries itself, without a fan-out workflow', async () => {
    const receiver = await startReceiver();
    const { client, accountId } = await herald.newAccount();
    await client.webhooks.create.mutate({ url: `${receiver.url}/a`, event_types: ['message.sent'] });
    await client.webhooks.create.mutate({ url: `${receiver.url}/b`, event_types: ['message.sent'] });
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message } });
    await receiver.waitFor(2);
    await expect(herald.deps.temporal.workflow.getHandle(fanOutWorkflowId(accountId, event.id)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    await receiver.close();
  });
});
