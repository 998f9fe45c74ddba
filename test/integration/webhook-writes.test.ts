// No write to a webhook undoes another, on FerretDB too: it applies every update by reading the whole
// document, changing it in Go and writing the whole document back, with no lock and without checking
// the filter again. Attempts are recorded (through the attempt activity's own function) as fast as the
// server takes them while the secret is rotated, the webhook edited and its status changed; every
// rotation's secret must still sign (checked by a real receiver) and every edit must still be there.
import { TRPCClientError } from '@trpc/client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createSuccessMemo, recordHealth } from '../../activities/delivery-health.js';
import { verifyWebhook } from '../../src/client/index.js';
import type { WriteClaimDoc } from '../../src/store/documents.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

/** Attempt recordings in flight at once (the delivery workflows of one busy webhook). */
const RECORDERS = 8;
/** The scope and rotation limits: 10 inbox ids, 10 pod ids, 10 old secrets kept. */
const EDITS = 10;
const GRACE_SECONDS = 3_600;

let herald: TestHerald;
let receiver: Receiver;
beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

/**
 * Runs `work` while successful attempts are recorded on the webhook, RECORDERS at a time, and lets a
 * few more land after it (a lost update shows only once a stale rewrite finishes).
 */
async function whileAttemptsAreRecorded<T>(
  webhook: { _id: string; account_id: string },
  work: () => Promise<T>,
): Promise<{ result: T; recorded: number }> {
  const { store, lifecycle } = herald.deps;
  // Every success is written (no memo window): the writes are what this test races.
  const deps = { report: lifecycle.report, unhealthyAfter: 5, parkMaxMs: 60_000, recentSuccesses: createSuccessMemo(0) };
  let running = true;
  let recorded = 0;
  const loops = Array.from({ length: RECORDERS }, async () => {
    while (running) {
      await recordHealth(store, deps, webhook, 'success', null, new Date());
      recorded++;
    }
  });
  try {
    const result = await work();
    const until = recorded + 4 * RECORDERS;
    while (recorded < until && running) await Promise.race([...loops, new Promise((resolve) => setTimeout(resolve, 5))]);
    return { result, recorded };
  } finally {
    running = false;
    await Promise.all(loops);
  }
}

/** Sends a signed webhook.test and checks that every given secret verifies it. */
async function expectAllSign(client: TestHerald['admin'], webhookId: string, secrets: string[]): Promise<void> {
  const before = receiver.requests.length;
  expect(await client.webhooks.test.mutate({ webhook_id: webhookId })).toMatchObject({ success: true });
  const request = receiver.requests[before];
  if (!request) throw new Error('the receiver got no request');
  const failing = secrets.filter((secret) => !verifyWebhook(request.body, request.headers, secret).ok);
  expect(failing, `${failing.length} of ${secrets.length} rotated secrets no longer sign`).toEqual([]);
}

it('keeps every rotation, edit and status change made one after another while attempts are recorded', async () => {
  const { client, accountId } = await herald.newAccount();
  const hook = await client.webhooks.create.mutate({ url: `${receiver.url}/a`, event_types: ['message.received'] });
  const secrets: string[] = [];
  const { recorded } = await whileAttemptsAreRecorded({ _id: hook.id, account_id: accountId }, async () => {
    for (let i = 0; i < EDITS; i++) {
      const rotated = await client.webhooks.rotate_secret.mutate({ webhook_id: hook.id, grace_period_seconds: GRACE_SECONDS });
      secrets.push(rotated.secret as string);
      await client.webhooks.update.mutate({ webhook_id: hook.id, add_inbox_ids: [`inbox_${i}`] });
      await client.webhooks.update.mutate({ webhook_id: hook.id, add_pod_ids: [`pod_${i}`], name: `name ${i}` });
    }
    await client.webhooks.disable.mutate({ webhook_id: hook.id });
  });
  expect(recorded).toBeGreaterThan(10 * EDITS);

  const after = await client.webhooks.get.query({ webhook_id: hook.id });
  expect(after).toMatchObject({
    name: `name ${EDITS - 1}`,
    status: 'disabled',
    enabled: false,
    failure_count: 0,
    last_delivered_at: expect.any(String),
  });
  expect([...after.inbox_ids].sort()).toEqual(Array.from({ length: EDITS }, (_, i) => `inbox_${i}`).sort());
  expect([...after.pod_ids].sort()).toEqual(Array.from({ length: EDITS }, (_, i) => `pod_${i}`).sort());
  await expectAllSign(client, hook.id, secrets);
});

it('keeps every one of many concurrent rotations, edits and status changes while attempts are recorded', async () => {
  const { client, accountId } = await herald.newAccount();
  const hook = await client.webhooks.create.mutate({ url: `${receiver.url}/b`, event_types: ['message.received'] });
  const { result: rotations } = await whileAttemptsAreRecorded({ _id: hook.id, account_id: accountId }, async () => {
    const [rotated] = await Promise.all([
      Promise.all(
        Array.from({ length: EDITS }, () =>
          client.webhooks.rotate_secret.mutate({ webhook_id: hook.id, grace_period_seconds: GRACE_SECONDS }),
        ),
      ),
      Promise.all(
        Array.from({ length: EDITS }, (_, i) => client.webhooks.update.mutate({ webhook_id: hook.id, add_inbox_ids: [`inbox_${i}`] })),
      ),
      Promise.all(
        Array.from({ length: EDITS }, (_, i) => client.webhooks.update.mutate({ webhook_id: hook.id, add_pod_ids: [`pod_${i}`] })),
      ),
      client.webhooks.disable.mutate({ webhook_id: hook.id }),
    ]);
    return rotated;
  });

  const after = await client.webhooks.get.query({ webhook_id: hook.id });
  expect(after).toMatchObject({ status: 'disabled', enabled: false });
  expect([...after.inbox_ids].sort()).toEqual(Array.from({ length: EDITS }, (_, i) => `inbox_${i}`).sort());
  expect([...after.pod_ids].sort()).toEqual(Array.from({ length: EDITS }, (_, i) => `pod_${i}`).sort());
  await expectAllSign(
    client,
    hook.id,
    rotations.map((r) => r.secret as string),
  );
});

it('waits for the writer that claimed the webhook, and takes over from one that died holding its claim', async () => {
  const { client } = await herald.newAccount();
  const hook = await client.webhooks.create.mutate({ url: `${receiver.url}/c`, event_types: ['message.received'] });
  const mongo = await MongoClient.connect(inject('mongodbUri'));
  try {
    const claims = mongo.db(herald.deps.config.mongodb.database).collection<WriteClaimDoc>('write_claims');
    const version = async () => Date.parse((await client.webhooks.get.query({ webhook_id: hook.id })).updated_at);
    const claimNow = async (expiresInMs: number) => {
      const claim = { _id: `webhooks/${hook.id}/${await version()}/0`, doc_id: hook.id, expires_at: new Date(Date.now() + expiresInMs) };
      await claims.insertOne(claim);
      return claim;
    };

    // Another writer holds the current version and finishes: the edit goes through after it.
    const held = await claimNow(60_000);
    const edit = client.webhooks.update.mutate({ webhook_id: hook.id, name: 'after the other writer' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await claims.deleteOne({ _id: held._id });
    expect(await edit).toMatchObject({ name: 'after the other writer' });

    // A writer that never finishes: the caller is told to try again, nothing is written.
    const stuck = await claimNow(60_000);
    const refused = await client.webhooks.rotate_secret.mutate({ webhook_id: hook.id }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<never>).data).toMatchObject({ code: 'CONFLICT', reason: 'concurrent_update' });
    await claims.deleteOne({ _id: stuck._id });

    // A writer that died holding its claim: once the claim's lease is over, the next writer takes over.
    await claimNow(-1);
    expect(await client.webhooks.update.mutate({ webhook_id: hook.id, name: 'taken over' })).toMatchObject({ name: 'taken over' });
    // Claims go with their writes; the dead writer's goes with the webhook.
    await client.webhooks.delete.mutate({ webhook_id: hook.id });
    expect(await claims.countDocuments({ doc_id: hook.id })).toBe(0);
  } finally {
    await mongo.close();
  }
});
