// Herald under measurement: the real `src/main.ts` as a child process (so its CPU time is its own),
// pointed at the benchmark's servers, driven through the typed client like any producer (the fixed-rate
// phases through a lean one: see leanPublisher).
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { createHeraldClient, type HeraldClient } from '../../src/client/index.js';
import { freePort } from '../../src/dev-stack/processes.js';
import type { EventType } from '../../src/domain/event-catalogue.js';
import { type HeraldProcess, startHeraldProcess } from '../../test/support/herald-process.js';
import type { Stack } from '../../test/support/stack.js';

export const BENCH_DATABASE = 'herald_bench';

export interface HeraldUnderTest {
  process: HeraldProcess;
  url: string;
  taskQueue: string;
  admin: HeraldClient;
  stop(): Promise<void>;
}

export async function startHeraldUnderTest(
  stack: Stack,
  options: {
    maxWebhooks: number;
    /** HERALD_ROLE (the split topology); default `all`. */
    role?: 'all' | 'api' | 'worker';
    /** What the processes of one split deployment share. */
    shared?: { adminKey: string; taskQueue: string };
    /** More variables (the observability bench switches metrics and tracing). */
    env?: Record<string, string>;
  },
): Promise<HeraldUnderTest> {
  const adminKey = options.shared?.adminKey ?? `hk_admin_bench_${randomBytes(12).toString('hex')}`;
  const taskQueue = options.shared?.taskQueue ?? `herald-bench-${randomBytes(3).toString('hex')}`;
  const herald = await startHeraldProcess({
    dir: stack.dir,
    // e.g. BENCH_HERALD_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof': profiles Herald alone, under load.
    nodeArgs: process.env.BENCH_HERALD_NODE_ARGS?.split(' '),
    env: {
      HERALD_API_PORT: String(await freePort()),
      HERALD_ADMIN_API_KEY: adminKey,
      HERALD_DATA_DIR: stack.dir,
      HERALD_LOG_LEVEL: 'warn',
      // The receiver is on 127.0.0.1.
      HERALD_ALLOW_PRIVATE_URLS: 'true',
      HERALD_MAX_WEBHOOKS_PER_ACCOUNT: String(options.maxWebhooks),
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGODB_URI: stack.mongodbUri,
      MONGODB_DATABASE: BENCH_DATABASE,
      ...(options.role ? { HERALD_ROLE: options.role } : {}),
      ...options.env,
    },
  });
  return {
    process: herald,
    url: herald.url,
    taskQueue,
    admin: createHeraldClient({ url: herald.url, apiKey: adminKey }),
    stop: () => herald.stop(),
  };
}

export interface BenchAccount {
  client: HeraldClient;
  url: string;
  apiKey: string;
  accountId: string;
  webhookIds: string[];
}

/** An account with `count` webhooks on the receiver (paths /<label>/<i>), all subscribed to `eventType`. */
export async function createAccount(
  herald: HeraldUnderTest,
  label: string,
  receiverUrl: string,
  count: number,
  eventType: EventType,
): Promise<BenchAccount> {
  const { account, api_key } = await herald.admin.accounts.create.mutate({ name: `bench ${label}` });
  const client = createHeraldClient({ url: herald.url, apiKey: api_key });
  const webhookIds: string[] = [];
  await pool(count, 16, async (i) => {
    const webhook = await client.webhooks.create.mutate({ url: `${receiverUrl}/${label}/${i}`, event_types: [eventType] });
    webhookIds[i] = webhook.id;
  });
  return { client, webhookIds, url: herald.url, apiKey: api_key, accountId: account.id };
}

type PublishInput = Parameters<HeraldClient['events']['publish']['mutate']>[0];

/** Publish errors seen (each retried), for the report: a healthy run has none. */
export const publishErrors = { count: 0, last: '' };

/**
 * Publishes like a careful producer: a failed call is retried with the same event id (so it is the
 * same event), a few times, and counted. Resolves when the API acknowledged the event.
 */
export async function publish(
  client: HeraldClient,
  input: PublishInput & { event_id: string },
  send: (input: PublishInput) => Promise<unknown> = (i) => client.events.publish.mutate(i),
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send(input);
      return;
    } catch (error) {
      publishErrors.count++;
      publishErrors.last = (error as Error).message.slice(0, 300);
      if (attempt >= 5) throw error;
      await sleep(200 * attempt);
    }
  }
}

/**
 * A lean producer for the fixed-rate phases: the tRPC wire format the typed client's `httpLink` sends,
 * over undici's keep-alive pool. The typed client goes through fetch, which here, on the same two cores
 * as Herald, cost ≈ 1.5 ms more CPU per event and queued its own requests: it measured itself as much as
 * Herald (p99 at 50 events/s 317–362 ms with it, 150–421 ms with this, in alternating runs).
 */
export function leanPublisher(account: BenchAccount): (input: PublishInput) => Promise<void> {
  const url = `${account.url}/trpc/events.publish`;
  const headers = { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' };
  return async (input) => {
    const response = await request(url, { method: 'POST', headers, body: JSON.stringify(input) });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`publish answered ${response.statusCode}: ${text.slice(0, 300)}`);
  };
}

export const sampleMessage = (i: number | string) => ({
  message: { id: `msg_${i}`, from: 'sender@example.com', to: ['agent@example.com'], subject: `Benchmark message ${i}` },
});

/** Runs `task(0 … count-1)` with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
