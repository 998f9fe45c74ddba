// The MongoDB-protocol server (FerretDB here) going away in the middle of a burst and
// coming back on the same port and data files: nothing acknowledged is lost. Publishes during the
// outage fail (the API cannot store the event) and the producer retries them.
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

describe('MongoDB server restart', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${signal} to the MongoDB server mid-burst, restart: nothing lost`, async () => {
      const receiver = await startReceiver();
      const herald = await faultHerald(stack);
      try {
        const { client, secret } = await subscribe(herald.admin, herald.url, receiver.url);
        const ids = eventIds(`mongodb-${signal.toLowerCase()}`, 300);
        const burst = publishBurst(client, ids);
        const acked = await burst.acknowledged(100);
        await stack.stopMongo(signal);
        await sleep(3_000);
        await stack.startMongo();
        await burst.done;
        await waitForAll(() => receiver.requests, ids);

        const { duplicates } = checkDelivered(receiver.requests, ids, secret);
        await expectRecordsSucceeded(stack.mongodbUri, herald.database, ids);
        say(
          `MongoDB ${signal} + restart: ${ids.length} events (${acked.length} acknowledged before), ${burst.retries} publishes retried, ` +
            `all delivered, ${duplicates} duplicate POSTs`,
        );
      } finally {
        await herald.stop();
        await receiver.close();
      }
    });
  }
});
