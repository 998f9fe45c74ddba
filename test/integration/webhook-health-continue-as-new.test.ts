// The health workflow continues as new after a (here tiny) history length, and carries its state:
// the failure count survives, and so do deliveries parked before a new run began.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventIds, healthHandle, message, switchableReceiver, waitForStatus } from '../support/health.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald({
    HERALD_UNHEALTHY_AFTER: '5',
    HERALD_RETRY_SCHEDULE: '200ms,200ms,200ms',
    // A run's history is ~10 events before it handles anything: every run handles a message or two.
    HERALD_HEALTH_HISTORY_EVENTS: '10',
  });
});
afterAll(async () => {
  await herald?.stop();
});

it('keeps the failure count and the parked deliveries across continue-as-new', async () => {
  const receiver = await switchableReceiver({ status: 500 });
  const { client, accountId } = await herald.newAccount();
  const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
  const health = () => herald.deps.lifecycle.health(accountId, hook.id);
  const publish = async () => (await client.events.publish.mutate({ type: 'message.received', data: { message } })).id;
  const firstRunId = (await healthHandle(herald, hook.id).describe()).runId;

  // Four failures, reported over several runs: the count is carried, not restarted.
  const first = await publish();
  await waitForStatus(herald, accountId, hook.id, [first], ['failed']);
  await expect.poll(health).toMatchObject({ status: 'active', failure_count: 4 });
  const afterFour = await health();
  expect(afterFour?.run).toBeGreaterThan(1);
  expect((await healthHandle(herald, hook.id).describe()).runId).not.toBe(firstRunId);

  // The fifth makes it unhealthy (in a later run than the first four).
  const second = await publish();
  await expect.poll(health, { timeout: 30_000 }).toMatchObject({ status: 'unhealthy' });
  await waitForStatus(herald, accountId, hook.id, [second], ['parked']);
  const held = [second, await publish(), await publish()];
  await waitForStatus(herald, accountId, hook.id, held, ['parked']);
  const sent = receiver.requests.length;

  // A new run while they are parked (the disable's history pushes this run past the threshold).
  const runWhileParked = (await health())?.run ?? 0;
  await client.webhooks.disable.mutate({ webhook_id: hook.id });
  await expect.poll(async () => (await health())?.run).toBeGreaterThan(runWhileParked);
  expect(await health()).toMatchObject({ status: 'disabled', failure_count: 5 });

  receiver.answer({ status: 200 });
  expect(await client.webhooks.enable.mutate({ webhook_id: hook.id })).toMatchObject({ status: 'active', resumed_deliveries: 3 });
  await receiver.waitFor(sent + 3);
  expect(eventIds(receiver, sent)).toEqual(held);
  await waitForStatus(herald, accountId, hook.id, held, ['succeeded']);
  await expect.poll(health).toMatchObject({ status: 'active', failure_count: 0, resuming: false });
  await receiver.close();
});
