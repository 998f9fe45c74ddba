// Herald as a platform runs it: 2 `api` + 2 `worker` processes (HERALD_ROLE) on a real Temporal cluster
// (the Temporal server built from go.temporal.io/server, PostgreSQL 15, 4 history shards; namespace
// created through the frontend, search attributes added by Herald itself) and FerretDB. Events are
// published round-robin through both API processes; a producer retries what was not acknowledged with
// the same event id (test/faults/support.ts). Every process's log stays under .herald-test/cluster-*/
// and is listed when a test fails.
import { randomBytes } from 'node:crypto';
import { relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient, type HeraldClient } from '../../src/client/index.js';
import { ensureSearchAttributes } from '../../src/temporal/ensure-search-attributes.js';
import {
  checkDelivered,
  eventIds,
  expectRecordsSucceeded,
  type FaultHerald,
  faultHerald,
  type HeraldIdentity,
  heraldIdentity,
  publishBurst,
  type Subscriber,
  say,
  subscribe,
  waitForAll,
} from '../faults/support.js';
import { type ClusterStack, startClusterStack } from '../support/cluster-stack.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const RUN_DIR = resolve(
  import.meta.dirname,
  '../../.herald-test',
  `cluster-${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(2).toString('hex')}`,
);

let stack: ClusterStack;
let identity: HeraldIdentity;
let api: FaultHerald[] = [];
let workers: FaultHerald[] = [];
let receiver: Receiver;
let subscriber: Subscriber;
let producers: HeraldClient[];
let failed = false;

beforeAll(async () => {
  stack = await startClusterStack({ dir: RUN_DIR, log: say });
  identity = heraldIdentity();
  const start = (role: 'api' | 'worker') => faultHerald(stack, { HERALD_ROLE: role }, identity);
  // Workers first: an `api` process needs nobody to run its workflows, but the burst does.
  workers = await Promise.all([start('worker'), start('worker')]);
  api = await Promise.all([start('api'), start('api')]);
  receiver = await startReceiver();
  subscriber = await subscribe(api[0]?.admin as HeraldClient, api[0]?.url as string, receiver.url);
  producers = api.map((herald) => createHeraldClient({ url: herald.url, apiKey: subscriber.apiKey }));
  say(
    `cluster: ${stack.description}; Herald: ${api.length} api + ${workers.length} worker processes; logs in ${relative(process.cwd(), RUN_DIR)}`,
  );
});

afterEach((context) => {
  if (context.task.result?.state !== 'fail') return;
  failed = true;
  say(`logs of every process (kept):\n  ${stack.logFiles().join('\n  ')}`);
});

afterAll(async () => {
  await Promise.allSettled([...api, ...workers].map((herald) => herald.stop()));
  await receiver?.close();
  // A failed hook counts too: keep everything then.
  const keep = failed || !api.length || !workers.length;
  await stack?.stop(keep);
  if (keep) say(`kept ${relative(process.cwd(), RUN_DIR)}`);
});

/** Delivery workflows still running on the cluster (visibility, on PostgreSQL). */
async function runningDeliveries(): Promise<number> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection });
    const { count } = await client.workflow.count('WorkflowType = "deliveryWorkflow" AND ExecutionStatus = "Running"');
    return count;
  } finally {
    await connection.close();
  }
}

/** A burst of `count` events through both API processes while `fault` runs once `faultAfter` are acknowledged. */
async function burstWith(label: string, count: number, faultAfter: number, fault: () => Promise<void>) {
  const before = receiver.requests.length;
  const ids = eventIds(label, count);
  const burst = publishBurst(producers, ids);
  const acked = await burst.acknowledged(faultAfter);
  await fault();
  // Only an event acknowledged by now can have been in flight in a process the fault hit: the bound on repeats.
  const ackedByFaultEnd = burst.acked.length;
  await burst.done;
  const requests = () => receiver.requests.slice(before);
  await waitForAll(requests, ids, 180_000);
  checkDelivered(requests(), ids, subscriber.secret);
  await expectRecordsSucceeded(stack.mongodbUri, identity.database, ids);
  // Recorded is not finished: a workflow task held by a killed worker is retried after its timeout (about
  // 36 s) and may POST once more. Count repeats once every delivery workflow has ended, so that none
  // arrives during the next test.
  await expect.poll(runningDeliveries, { timeout: 180_000, interval: 1_000 }).toBe(0);
  const { duplicates } = checkDelivered(requests(), ids, subscriber.secret);
  say(
    `${label}: ${ids.length} events (${acked.length} acknowledged before the fault, ${ackedByFaultEnd} by its end), ` +
      `${burst.retries} publishes retried, all delivered, ${duplicates} duplicate POSTs`,
  );
  return { duplicates, ackedByFaultEnd };
}

describe('2 api + 2 worker Herald processes on a Temporal cluster (PostgreSQL, 4 history shards)', () => {
  it('Herald waits for a namespace that does not exist, then says so', async () => {
    const connection = await NativeConnection.connect({ address: stack.temporalAddress });
    try {
      await expect(ensureSearchAttributes(connection, `missing-${randomBytes(3).toString('hex')}`, 2_000)).rejects.toThrow(
        /Temporal namespace "missing-[0-9a-f]+" does not exist \(waited 2 s\)/,
      );
    } finally {
      await connection.close();
    }
  });

  it('500 events round-robin through both API processes, no fault: each POSTed exactly once', async () => {
    const { duplicates } = await burstWith('cluster-clean', 500, 0, async () => {});
    expect(duplicates).toBe(0);
  });

  it('SIGKILL one worker mid-burst: every acknowledged event delivered', async () => {
    const { duplicates, ackedByFaultEnd } = await burstWith('cluster-worker-kill', 300, 100, async () => {
      await workers[0]?.kill();
    });
    // A repeat is an attempt whose POST reached the receiver before the worker died with its result.
    expect(duplicates).toBeLessThanOrEqual(ackedByFaultEnd);
    await workers[0]?.start();
  });

  it('SIGTERM one API process mid-burst and start it again (rolling restart): every acknowledged event delivered', async () => {
    const { duplicates, ackedByFaultEnd } = await burstWith('cluster-api-restart', 300, 100, async () => {
      await api[0]?.stop();
      await sleep(1_000);
      await api[0]?.start();
    });
    expect(duplicates).toBeLessThanOrEqual(ackedByFaultEnd);
  });

  it('restart the Temporal server mid-burst: every acknowledged event delivered', async () => {
    const { duplicates, ackedByFaultEnd } = await burstWith('cluster-temporal-restart', 300, 100, async () => {
      await stack.stopTemporal('SIGTERM');
      await sleep(3_000);
      await stack.startTemporal();
    });
    expect(duplicates).toBeLessThanOrEqual(ackedByFaultEnd);
  });
});
