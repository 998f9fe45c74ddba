// The health workflow is off the hot path: a healthy webhook's successful deliveries send it nothing.
// Counted from the workflow's history (every signal it received is an event there). A few hundred
// here, to keep the file short; `npx tsx bench/health-signals.ts 1000` counts 1,000.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { message, signalsReceived, switchableReceiver, waitForStatus } from '../support/health.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

const DELIVERIES = 200;
const CONCURRENCY = 16;

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald?.stop();
});

it(`receives no signal for ${DELIVERIES} successful deliveries to one webhook, and one per failure`, async () => {
  const receiver = await switchableReceiver({ status: 200 });
  const { client, accountId } = await herald.newAccount();
  const hook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });

  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < DELIVERIES) {
        next++;
        await client.events.publish.mutate({ type: 'message.received', data: { message } });
      }
    }),
  );
  await receiver.waitFor(DELIVERIES, 50_000);
  const signals = await signalsReceived(herald, hook.id);
  process.stdout.write(`health workflow signals for ${DELIVERIES} successful deliveries: ${signals}\n`);
  expect(signals).toBe(0);

  // The counter does count: one failed attempt and the success after it are two signals.
  receiver.answer({ status: 500 });
  const failed = await client.events.publish.mutate({ type: 'message.received', data: { message } });
  await waitForStatus(herald, accountId, hook.id, [failed.id], ['retrying']);
  receiver.answer({ status: 200 });
  await waitForStatus(herald, accountId, hook.id, [failed.id], ['succeeded']);
  await expect.poll(() => signalsReceived(herald, hook.id)).toBe(2);
  await receiver.close();
});
