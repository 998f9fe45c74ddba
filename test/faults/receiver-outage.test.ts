// The receiver down for a few seconds in the middle of a burst, then back on the same address:
// everything is delivered — by the retry schedule, or, once the outage made the webhook unhealthy, after
// webhooks.enable releases its parked deliveries — and the records show the failed attempts.
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedRequest, startReceiver } from '../support/receiver.js';
import { type Stack, startStack } from '../support/stack.js';
import { checkDelivered, eventIds, expectRecordsSucceeded, faultHerald, publishBurst, say, subscribe, waitForAll } from './support.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ temporal: 'file' });
});
afterAll(async () => {
  await stack?.stop();
});

/**
 * Publishes a burst, takes the receiver down for 4 s in the middle, brings it back on the same port,
 * and hands over to `recover` for whatever the scenario does next; then checks that every event arrived
 * correctly signed and every record ended succeeded.
 */
async function outage(
  env: Record<string, string>,
  label: string,
  recover: (ctx: { client: Awaited<ReturnType<typeof subscribe>>['client']; webhookId: string }) => Promise<void>,
) {
  const first = await startReceiver();
  const port = Number(new URL(first.url).port);
  const herald = await faultHerald(stack, env);
  let second: Awaited<ReturnType<typeof startReceiver>> | undefined;
  try {
    const { client, secret, webhookId } = await subscribe(herald.admin, herald.url, first.url);
    const ids = eventIds(label, 300);
    const burst = publishBurst(client, ids);
    await burst.acknowledged(100);
    await first.close();
    const downAt = Date.now();
    await sleep(4_000);
    second = await startReceiver(undefined, { port });
    const downForMs = Date.now() - downAt;
    const back = second;
    await burst.done;
    await recover({ client, webhookId });
    const all = (): ReceivedRequest[] => [...first.requests, ...back.requests];
    await waitForAll(all, ids);

    const { duplicates } = checkDelivered(all(), ids, secret);
    await expectRecordsSucceeded(stack.mongodbUri, herald.database, ids);
    // The outage was real: some deliveries needed more than one attempt.
    const mongo = new MongoClient(stack.mongodbUri);
    try {
      const docs = await mongo.db(herald.database).collection('deliveries').find({ webhook_id: webhookId }).toArray();
      const retried = docs.filter((d) => d.attempts.length > 1);
      expect(retried.length).toBeGreaterThan(0);
      expect(retried.every((d) => d.attempts.slice(0, -1).every((a: { outcome: string }) => a.outcome === 'retry'))).toBe(true);
      say(
        `receiver down ${(downForMs / 1000).toFixed(1)} s (${label}): ${ids.length} events, ${retried.length} needed retries ` +
          `(up to ${Math.max(...retried.map((d) => d.attempts.length))} attempts), all delivered, ${duplicates} duplicate POSTs`,
      );
    } finally {
      await mongo.close();
    }
  } finally {
    await herald.stop();
    await first.close().catch(() => undefined);
    await second?.close();
  }
}

describe('receiver outage', () => {
  it('receiver down for 4 s mid-burst, then back: everything delivered by the retry schedule', async () => {
    // The health threshold out of the way: this is the retry schedule's job alone.
    await outage({ HERALD_UNHEALTHY_AFTER: '1000000' }, 'outage-retry', async () => {});
  });

  it('receiver down long enough to make the webhook unhealthy: parked, nothing lost, all delivered after enable', async () => {
    await outage({}, 'outage-health', async ({ client, webhookId }) => {
      await expect
        .poll(async () => (await client.webhooks.get.query({ webhook_id: webhookId })).status, { timeout: 60_000 })
        .toBe('unhealthy');
      const { resumed_deliveries } = await client.webhooks.enable.mutate({ webhook_id: webhookId });
      expect(resumed_deliveries).toBeGreaterThan(0);
      say(`receiver outage made the webhook unhealthy; enable resumed ${resumed_deliveries} parked deliveries`);
    });
  });
});
