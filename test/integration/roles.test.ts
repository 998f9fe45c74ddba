// HERALD_ROLE (docs/roles.md) with real processes: 2 `api` processes (src/main.ts through tsx) and 2
// `worker` processes running the compiled build (`npm run build`, node dist/src/main.js with the
// workflow bundle built ahead of time), all on the test run's Temporal dev server and FerretDB. Every
// per-process copy must stay correct across processes: each delivery POSTed once, a webhook or key made
// through one API process seen by the other at once. Each process's log stays under .herald-test/.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { listenClient } from '../../src/cli/listen.js';
import { createHeraldClient, type HeraldClient } from '../../src/client/index.js';
import { webhookMessageId } from '../../src/domain/ids.js';
import { cleanEnv, type HeraldProcess, REPO_ROOT, startHeraldProcess } from '../support/herald-process.js';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.js';
import { stablePort } from '../support/stack.js';

const run = randomBytes(3).toString('hex');
const dir = join(REPO_ROOT, '.herald-test', `roles-${run}`);
const adminKey = `hk_admin_roles_${randomBytes(12).toString('hex')}`;
const processes: HeraldProcess[] = [];
let failed = false;
let apis: HeraldProcess[] = [];
let workers: HeraldProcess[] = [];
let receiver: Receiver;

/** Every log of this file, printed when a test fails. */
function printLogsOnFailure(): void {
  onTestFailed(() => {
    failed = true;
    process.stdout.write(`[roles] logs: ${dir}\n${processes.map((p) => `  ${p.logFile}`).join('\n')}\n`);
  });
}

function heraldEnv(role: 'api' | 'worker', port: number): Record<string, string> {
  return {
    HERALD_ROLE: role,
    HERALD_API_PORT: String(port),
    HERALD_ADMIN_API_KEY: adminKey,
    // One data dir for all four: none of them starts (or stops as an orphan) any server.
    HERALD_DATA_DIR: dir,
    HERALD_LOG_LEVEL: 'info',
    HERALD_ALLOW_PRIVATE_URLS: 'true',
    HERALD_RETRY_SCHEDULE: '200ms,500ms,1s,2s',
    HERALD_DELIVERY_TIMEOUT: '5s',
    HERALD_RECONCILE_INTERVAL: '1h',
    HERALD_RETENTION_INTERVAL: '1h',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `herald-roles-${run}`,
    MONGODB_URI: inject('mongodbUri'),
    MONGODB_DATABASE: `herald_roles_${run}`,
  };
}

async function start(role: 'api' | 'worker', entry: 'main' | 'dist'): Promise<HeraldProcess> {
  const herald = await startHeraldProcess({ dir, entry, env: heraldEnv(role, await stablePort()) });
  processes.push(herald);
  return herald;
}

const client = (herald: HeraldProcess, apiKey: string) => createHeraldClient({ url: herald.url, apiKey });

function sampleData(id: string) {
  return { message: { id: `msg_${id}`, from: 'sender@example.com', to: ['agent@example.com'], subject: `Roles test ${id}` } };
}

/** Publishes until acknowledged (a retry is the same event id, so the same event). */
async function publish(through: HeraldClient, id: string, inbox = 'inbox_roles'): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await through.events.publish.mutate(
        { type: 'message.received', inbox_id: inbox, data: sampleData(id), event_id: id },
        { signal: AbortSignal.timeout(20_000) },
      );
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

const onPath = (path: string) => (): ReceivedRequest[] => receiver.requests.filter((r) => r.path === path);

beforeAll(async () => {
  // Until every process is up: a failed start keeps the logs.
  failed = true;
  mkdirSync(dir, { recursive: true });
  receiver = await startReceiver();
  // One build for the file: tsc, then the workflow bundle (scripts/bundle-workflows.mjs).
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, timeout: 420_000 }).catch((error) => {
    throw new Error(`npm run build failed: ${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
  // All four at once, as a deployment would start them: schedules, search attributes and index
  // backfill run concurrently (each idempotent).
  const started = await Promise.allSettled([start('api', 'main'), start('api', 'main'), start('worker', 'dist'), start('worker', 'dist')]);
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    process.stdout.write(`[roles] logs: ${dir}\n`);
    throw failure.reason;
  }
  const [api1, api2, worker1, worker2] = started.map((result) => (result as PromiseFulfilledResult<HeraldProcess>).value);
  apis = [api1 as HeraldProcess, api2 as HeraldProcess];
  workers = [worker1 as HeraldProcess, worker2 as HeraldProcess];
  failed = false;
}, 900_000);

afterAll(async () => {
  await Promise.allSettled(processes.map((p) => p.stop()));
  await receiver?.close();
  // The logs are kept for a failed run (their paths were printed), not for a passing one.
  if (!failed) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** POSTs to receivers the process made, from its `/metrics` (herald_delivery_attempts_total, every outcome). */
async function attemptsPosted(herald: HeraldProcess): Promise<number> {
  const text = await (await fetch(`${herald.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('herald_delivery_attempts_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('HERALD_ROLE: 2 api + 2 worker processes', () => {
  it('each process answers /healthz and /readyz; a worker (compiled, dist/) serves no API, an api process runs no worker', async () => {
    printLogsOnFailure();
    for (const herald of [...apis, ...workers]) {
      expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
      await expect.poll(async () => (await fetch(`${herald.url}/readyz`)).status, { timeout: 30_000, interval: 250 }).toBe(200);
    }
    for (const worker of workers) {
      expect(await (await fetch(`${worker.url}/readyz`)).json()).toEqual({ mongodb: true, temporal: true, worker: true });
      const trpc = await fetch(`${worker.url}/trpc/event_types.list`);
      expect(trpc.status).toBe(404);
      expect((await fetch(`${worker.url}/v1/event-types`)).status).toBe(404);
    }
    for (const api of apis) {
      expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({ mongodb: true, temporal: true });
      expect((await fetch(`${api.url}/v1/event-types`)).status).toBe(200);
    }
    // Who polls the task queue: both workers, and no api process (a worker's identity is pid@host).
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const pollers = async () => {
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: `herald-roles-${run}` },
          taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return new Set((pollers ?? []).map((poller) => Number(poller.identity?.split('@')[0])));
      };
      await expect
        .poll(async () => [...(await pollers())].sort(), { timeout: 30_000, interval: 250 })
        .toEqual(workers.map((w) => w.pid).sort());
    } finally {
      await connection.close();
    }
  });

  it('POSTs each of a burst published round-robin through both API processes exactly once', { timeout: 600_000 }, async () => {
    printLogsOnFailure();
    const [api1, api2] = apis as [HeraldProcess, HeraldProcess];
    const { account, api_key } = await client(api1, adminKey).accounts.create.mutate({ name: 'roles burst' });
    const webhook = await client(api1, api_key).webhooks.create.mutate({ url: `${receiver.url}/burst`, event_types: ['message.received'] });
    const through = [client(api1, api_key), client(api2, api_key)];
    const ids = Array.from({ length: 200 }, (_, i) => `roles-${run}-${i}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ids.length) {
          const n = next++;
          await publish(through[n % 2] as HeraldClient, ids[n] as string);
        }
      }),
    );
    const received = onPath('/burst');
    const distinct = () => new Set(received().map((r) => String(JSON.parse(r.body).event_id)));
    await expect.poll(() => distinct().size, { timeout: 300_000, interval: 500 }).toBe(ids.length);
    // Every delivery recorded as succeeded: no attempt is still running that could POST once more.
    const mongo = new MongoClient(inject('mongodbUri'));
    try {
      const deliveries = mongo.db(`herald_roles_${run}`).collection<{ webhook_id: string; status: string }>('deliveries');
      await expect
        .poll(
          async () =>
            (await deliveries.find({ webhook_id: webhook.id }, { projection: { status: 1 } }).toArray()).filter(
              (d) => d.status === 'succeeded',
            ).length,
          {
            timeout: 120_000,
            interval: 500,
          },
        )
        .toBe(ids.length);
    } finally {
      await mongo.close();
    }
    const webhookIds = received().map((r) => String(r.headers['webhook-id']));
    const repeats = webhookIds.length - new Set(webhookIds).size;
    process.stdout.write(
      `[roles] ${ids.length} events through 2 api processes, ${webhookIds.length} POSTs, webhook-id repeats: ${repeats}\n`,
    );
    expect(new Set(webhookIds)).toEqual(new Set(ids.map((id) => webhookMessageId(account.id, id))));
    expect(repeats).toBe(0);
    // Who POSTed: each API process began the first attempts of what it stored (activities/first-attempts.ts),
    // and the workers adopted them from the records. Counted in the process that sent each POST.
    const posted = await Promise.all([...apis, ...workers].map(attemptsPosted));
    process.stdout.write(`[roles] POSTs by api1, api2, worker1, worker2: ${posted.join(', ')}\n`);
    expect(posted[0]).toBeGreaterThan(0);
    expect(posted[1]).toBeGreaterThan(0);
    expect(posted.reduce((sum, n) => sum + n, 0)).toBe(webhookIds.length);
  });

  it('herald listen: a session held through API 1 relays an event published through API 2; its local 500 is retried by a worker', async () => {
    printLogsOnFailure();
    const [api1, api2] = apis as [HeraldProcess, HeraldProcess];
    const { api_key } = await client(api1, adminKey).accounts.create.mutate({ name: 'roles listen' });
    // The CLI's own client (src/cli/listen.ts): the session's stream is held by API 1, answers go through API 2.
    const holder = listenClient({ url: api1.url, apiKey: api_key });
    const answering = client(api2, api_key);
    const started = await holder.listen.start.mutate({ forward_to: 'http://localhost:4000/hooks', event_types: ['message.received'] });
    const tries = new Map<string, number>();
    const subscription = holder.listen.requests.subscribe(
      { session_id: started.session_id },
      {
        onData: async (request) => {
          const n = (tries.get(request.event_id) ?? 0) + 1;
          tries.set(request.event_id, n);
          // The first try fails as a local bug would; the retry, made by a worker, succeeds.
          await answering.listen.respond.mutate({
            session_id: started.session_id,
            request_id: request.request_id,
            status_code: n === 1 ? 500 : 200,
            body: n === 1 ? 'local bug' : 'ok',
            duration_ms: 1,
          });
        },
      },
    );
    try {
      const id = `roles-listen-${run}`;
      await publish(answering, id);
      const deliveryOf = async () => {
        const { deliveries } = await answering.deliveries.list.query({ webhook_id: started.webhook.id });
        if (deliveries.length !== 1) return null;
        const delivery = await answering.deliveries.get.query({ delivery_id: deliveries[0]?.id ?? '' });
        return [delivery.status, delivery.attempts.map((a) => a.status_code)];
      };
      await expect.poll(deliveryOf, { timeout: 120_000, interval: 250 }).toEqual(['succeeded', [500, 200]]);
      expect(tries.get(id)).toBe(2);
    } finally {
      subscription.unsubscribe();
      await holder.listen.stop.mutate({ session_id: started.session_id });
    }
  });

  it('a webhook created through API 1 gets an event published through API 2 at once; keys made or revoked through one are seen by the other', async () => {
    printLogsOnFailure();
    const [api1, api2] = apis as [HeraldProcess, HeraldProcess];
    const { api_key } = await client(api1, adminKey).accounts.create.mutate({ name: 'roles copies' });
    // Warm API 2's copies of this account (webhooks, key) before the change, so a stale copy would show.
    await publish(client(api2, api_key), `roles-${run}-warm`);

    await client(api1, api_key).webhooks.create.mutate({ url: `${receiver.url}/copies`, event_types: ['message.received'] });
    await publish(client(api2, api_key), `roles-${run}-after-create`);
    await expect
      .poll(() => onPath('/copies')().map((r) => JSON.parse(r.body).event_id), { timeout: 60_000, interval: 250 })
      .toEqual([`roles-${run}-after-create`]);

    const second = await client(api1, api_key).api_keys.create.mutate({ name: 'second' });
    expect((await client(api2, second.api_key).webhooks.list.query({})).webhooks).toHaveLength(1);
    await client(api1, api_key).api_keys.revoke.mutate({ api_key_id: second.id });
    await expect(client(api2, second.api_key).webhooks.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it('an api or worker process without TEMPORAL_ADDRESS or MONGODB_URI refuses to start, naming the variable, with no stack', async () => {
    printLogsOnFailure();
    const boot = (env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO_ROOT, env: { ...cleanEnv(), ...env } });
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
        });
        child.stderr.on('data', (chunk) => {
          output += chunk;
        });
        child.on('exit', (code) => resolve({ code, output }));
      });
    const [api, worker] = await Promise.all([
      boot({ HERALD_ROLE: 'api', TEMPORAL_ADDRESS: inject('temporalAddress'), HERALD_DATA_DIR: dir }),
      boot({ HERALD_ROLE: 'worker', MONGODB_URI: inject('mongodbUri'), HERALD_DATA_DIR: dir }),
    ]);
    expect(api.code).toBe(2);
    expect(api.output).toMatch(/^\s*- MONGODB_URI: required when HERALD_ROLE=api\b/m);
    expect(api.output).not.toMatch(/TEMPORAL_ADDRESS|\n\s+at /);
    expect(worker.code).toBe(2);
    expect(worker.output).toMatch(/^\s*- TEMPORAL_ADDRESS: required when HERALD_ROLE=worker\b/m);
    expect(worker.output).not.toMatch(/MONGODB_URI|\n\s+at /);
  });
});
