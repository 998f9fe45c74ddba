// The Temporal dev server (file-backed, as `npm start` runs it) going away in the middle of a burst and
// coming back on the same port and database file: nothing acknowledged is lost. Publishes during the
// outage fail (the API cannot get the starts accepted) and the producer retries them.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
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

describe('Temporal server restart', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${signal} to the Temporal server mid-burst, restart: nothing lost`, async () => {
      const receiver = await startReceiver();
      const herald = await faultHerald(stack);
      try {
        const { client, secret } = await subscribe(herald.admin, herald.url, receiver.url);
        const ids = eventIds(`temporal-${signal.toLowerCase()}`, 300);
        const burst = publishBurst(client, ids);
        const acked = await burst.acknowledged(100);
        await stack.stopTemporal(signal);
        await sleep(3_000);
        await stack.startTemporal();
        await burst.done;
        await waitForAll(() => receiver.requests, ids);

        const { duplicates } = checkDelivered(receiver.requests, ids, secret);
        await expectRecordsSucceeded(stack.mongodbUri, herald.database, ids);
        say(
          `Temporal ${signal} + restart: ${ids.length} events (${acked.length} acknowledged before), ${burst.retries} publishes retried, ` +
            `all delivered, ${duplicates} duplicate POSTs`,
        );
      } finally {
        await herald.stop();
        await receiver.close();
      }
    });
  }
});
