// The Herald process (API and worker in one) killed with SIGKILL in the middle of a burst, then
// started again: every event the API acknowledged is delivered, and so is every event the producer
// had to retry; repeats show only as repeated webhook-ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../support/receiver.js';
import { type Stack, startStack } from '../support/stack.js';
import { checkDelivered, eventIds, expectRecordsSucceeded, faultHerald, publishBurst, say, subscribe, waitForAll } from './support.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ temporal: 'file' });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Herald process crash', () => {
  it('SIGKILL of API + worker mid-burst, restart: every acknowledged event delivered', async () => {
    const receiver = await startReceiver();
    const herald = await faultHerald(stack);
    try {
      const { client, secret } = await subscribe(herald.admin, herald.url, receiver.url);
      const ids = eventIds('crash', 400);
      const burst = publishBurst(client, ids);
      const ackedBeforeKill = await burst.acknowledged(130);
      await herald.kill();
      const deliveredAtKill = receiver.requests.length;
      await herald.start();
      await burst.done;
      await waitForAll(() => receiver.requests, ids);

      const { duplicates } = checkDelivered(receiver.requests, ids, secret);
      await expectRecordsSucceeded(stack.mongodbUri, herald.database, ids);
      // The events acknowledged before the kill were never published again: they survived on their own.
      expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(130);
      say(
        `Herald SIGKILL: ${ids.length} events (${ackedBeforeKill.length} acknowledged before the kill, ${deliveredAtKill} delivered by then), ` +
          `${burst.retries} publishes retried, all delivered, ${duplicates} duplicate POSTs (repeated webhook-id)`,
      );
    } finally {
      await herald.stop();
      await receiver.close();
    }
  });
});
