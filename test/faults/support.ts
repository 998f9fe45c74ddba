// Shared by the fault tests: Herald as a killable child process on servers the test owns, a producer
// that retries every unacknowledged publish with the same event id (what a real producer does), and
// the delivery check — every event arrived, signed, and repeats only as repeated `webhook-id`s.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { createHeraldClient, type HeraldClient } from '../../src/client/index.js';
import { webhookMessageId } from '../../src/domain/ids.js';
import { type HeraldProcess, startHeraldProcess } from '../support/herald-process.js';
import type { ReceivedRequest } from '../support/receiver.js';
import { type Stack, stablePort } from '../support/stack.js';

/** Fast enough for a test, long enough to ride out outages of a few seconds. */
export const FAULT_RETRY_SCHEDULE = '200ms,500ms,1s,2s,3s,5s,10s,10s';

export const say = (msg: string) => process.stdout.write(`[faults] ${msg}\n`);

export interface FaultHerald {
  url: string;
  adminKey: string;
  database: string;
  admin: HeraldClient;
  current(): HeraldProcess | undefined;
  start(): Promise<HeraldProcess>;
  /** SIGKILL, no goodbye. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** What several Herald processes of one deployment share (the cluster tests run 2 `api` + 2 `worker`). */
export interface HeraldIdentity {
  adminKey: string;
  database: string;
  taskQueue: string;
}

export function heraldIdentity(): HeraldIdentity {
  const suffix = randomBytes(3).toString('hex');
  return {
    adminKey: `hk_admin_faults_${randomBytes(12).toString('hex')}`,
    database: `herald_faults_${suffix}`,
    taskQueue: `herald-faults-${suffix}`,
  };
}

/** Herald (src/main.ts) on the test's servers; restarts keep the port, task queue and database. */
export async function faultHerald(stack: Stack, env: Record<string, string> = {}, identity = heraldIdentity()): Promise<FaultHerald> {
  const port = await stablePort();
  const { adminKey, database, taskQueue } = identity;
  let process: HeraldProcess | undefined;
  const herald: FaultHerald = {
    url: `http://127.0.0.1:${port}`,
    adminKey,
    database,
    admin: createHeraldClient({ url: `http://127.0.0.1:${port}`, apiKey: adminKey }),
    current: () => process,
    async start() {
      process = await startHeraldProcess({
        dir: stack.dir,
        env: {
          HERALD_API_PORT: String(port),
          HERALD_ADMIN_API_KEY: adminKey,
          HERALD_DATA_DIR: stack.dir,
          HERALD_LOG_LEVEL: 'warn',
          HERALD_ALLOW_PRIVATE_URLS: 'true',
          HERALD_RETRY_SCHEDULE: FAULT_RETRY_SCHEDULE,
          HERALD_DELIVERY_TIMEOUT: '5s',
          TEMPORAL_ADDRESS: stack.temporalAddress,
          TEMPORAL_TASK_QUEUE: taskQueue,
          MONGODB_URI: stack.mongodbUri,
          MONGODB_DATABASE: database,
          ...env,
        },
      });
      return process;
    },
    async kill() {
      await process?.kill();
      process = undefined;
    },
    async stop() {
      await process?.stop();
      process = undefined;
    },
  };
  await herald.start();
  return herald;
}

export interface Subscriber {
  client: HeraldClient;
  apiKey: string;
  secret: string;
  webhookId: string;
}

export async function subscribe(admin: HeraldClient, url: string, receiverUrl: string): Promise<Subscriber> {
  const { api_key } = await admin.accounts.create.mutate({ name: 'faults' });
  const client = createHeraldClient({ url, apiKey: api_key });
  const webhook = await client.webhooks.create.mutate({ url: `${receiverUrl}/hook`, event_types: ['message.received'] });
  if (!webhook.secret) throw new Error('no secret on create');
  return { client, apiKey: api_key, secret: webhook.secret, webhookId: webhook.id };
}

export interface Burst {
  /** Event ids in the order the API acknowledged them. */
  acked: string[];
  /** Publishes that failed or timed out and were retried. */
  retries: number;
  done: Promise<void>;
  /** Resolves once at least `n` events are acknowledged. */
  acknowledged(n: number): Promise<string[]>;
}

/**
 * Publishes every id, `concurrency` at a time, retrying each until the API acknowledges it (same
 * event id, so a retry is the same event). Herald may be down for a while in between.
 */
export function publishBurst(
  client: HeraldClient | readonly HeraldClient[],
  ids: string[],
  options: { concurrency?: number; giveUpAfterMs?: number } = {},
): Burst {
  // Several clients (one per API process): every publish, retries included, goes to the next one in turn.
  const clients = Array.isArray(client) ? client : [client as HeraldClient];
  let turn = 0;
  const acked: string[] = [];
  const deadline = Date.now() + (options.giveUpAfterMs ?? 180_000);
  let finished = false;
  let next = 0;
  const burst: Burst = {
    acked,
    retries: 0,
    done: Promise.resolve(),
    async acknowledged(n) {
      while (acked.length < n) {
        if (finished) throw new Error(`the burst ended with ${acked.length} of ${n} acknowledged`);
        await sleep(20);
      }
      return acked.slice();
    },
  };
  const publishOne = async (id: string) => {
    for (;;) {
      try {
        await (clients[turn++ % clients.length] as HeraldClient).events.publish.mutate(
          { type: 'message.received', inbox_id: 'inbox_faults', data: sampleData(id), event_id: id },
          { signal: AbortSignal.timeout(15_000) },
        );
        acked.push(id);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`could not publish ${id}: ${(error as Error).message}`);
        burst.retries++;
        await sleep(250);
      }
    }
  };
  burst.done = Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      while (next < ids.length) await publishOne(ids[next++] as string);
    }),
  )
    .then(() => undefined)
    .finally(() => {
      finished = true;
    });
  return burst;
}

function sampleData(id: string) {
  return { message: { id: `msg_${id}`, from: 'sender@example.com', to: ['agent@example.com'], subject: `Fault test ${id}` } };
}

export function eventIds(label: string, count: number): string[] {
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: count }, (_, i) => `${label}-${run}-${i}`);
}

/** Distinct event ids received so far (one `webhook-id` each: it is derived from the account and the event id). */
export function distinctIds(requests: readonly ReceivedRequest[]): Set<string> {
  return new Set(requests.map((r) => String(JSON.parse(r.body).event_id)));
}

/**
 * Every id arrived; every request is correctly signed and carries one of the ids; returns how many
 * requests repeated an id (a retried attempt whose first answer was lost in the fault).
 */
export function checkDelivered(requests: readonly ReceivedRequest[], ids: readonly string[], secret: string): { duplicates: number } {
  const expected = new Set(ids);
  const verifier = new Webhook(secret);
  const seen = new Set<string>();
  let duplicates = 0;
  for (const request of requests) {
    const body = JSON.parse(request.body);
    const id = String(body.event_id);
    verifier.verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(expected.has(id), `unexpected event_id ${id}`).toBe(true);
    expect(request.headers['webhook-id']).toBe(webhookMessageId(body.account_id, id));
    if (seen.has(id)) duplicates++;
    seen.add(id);
  }
  const missing = ids.filter((id) => !seen.has(id));
  expect(missing, `${missing.length} events never delivered`).toEqual([]);
  return { duplicates };
}

/** Waits until every id arrived (duplicates allowed). */
export async function waitForAll(requests: () => readonly ReceivedRequest[], ids: readonly string[], timeoutMs = 120_000): Promise<void> {
  await expect
    .poll(() => [...distinctIds(requests())].filter((id) => ids.includes(id)).length, { timeout: timeoutMs, interval: 250 })
    .toBe(ids.length);
}

/** Herald's own records agree: every delivery of these events ends `succeeded` in MongoDB. */
export async function expectRecordsSucceeded(mongodbUri: string, database: string, ids: readonly string[]): Promise<void> {
  const client = new MongoClient(mongodbUri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const deliveries = client.db(database).collection<{ event_id: string; status: string }>('deliveries');
    const wanted = new Set(ids);
    await expect
      .poll(
        async () => {
          const docs = await deliveries.find({}, { projection: { event_id: 1, status: 1 } }).toArray();
          return docs.filter((d) => wanted.has(d.event_id) && d.status === 'succeeded').length;
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(ids.length);
  } finally {
    await client.close();
  }
}
