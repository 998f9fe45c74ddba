// `herald listen` as a developer runs it: the CLI (bin/herald.mjs, a child process) holds a session with a
// live Herald and forwards each delivery of its temporary webhook to a real local receiver; the signature
// is checked with the Standard Webhooks library, the local answer becomes the attempt's outcome.
import { type ChildProcess, spawn } from 'node:child_process';
import { TRPCClientError } from '@trpc/client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenClient } from '../../src/cli/listen.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, type Reply, startReceiver } from '../support/receiver.js';

const BIN = new URL('../../bin/herald.mjs', import.meta.url).pathname;

let herald: TestHerald;
let receiver: Receiver;
/** Local answers by path: a path not listed answers 200. */
const scripted = new Map<string, (n: number) => Reply>();

beforeAll(async () => {
  herald = await startTestHerald({
    HERALD_RETRY_SCHEDULE: '300ms,300ms,300ms',
    HERALD_UNHEALTHY_AFTER: '2',
    HERALD_MAX_WEBHOOKS_PER_ACCOUNT: '1',
    HERALD_LISTEN_SESSION_GRACE: '2s',
  });
  const seen = new Map<string, number>();
  receiver = await startReceiver((_n, request) => {
    const n = seen.get(request.path) ?? 0;
    seen.set(request.path, n + 1);
    return scripted.get(request.path)?.(n) ?? { status: 200 };
  });
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

interface Listening {
  child: ChildProcess;
  webhookId: string;
  secret: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `herald listen`, resolved once it printed its webhook and secret. */
async function startListen(apiKey: string, path: string, extra: string[] = []): Promise<Listening> {
  const child = spawn(process.execPath, [BIN, 'listen', '--forward-to', `${receiver.url}${path}`, ...extra], {
    env: { ...process.env, HERALD_URL: herald.url, HERALD_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Each CLI run compiles its TypeScript (tsx): seconds on a busy machine.
  await expect.poll(() => /Signing secret: whsec_/.test(stdout) || child.exitCode !== null, { timeout: 60_000, interval: 100 }).toBe(true);
  if (child.exitCode !== null) throw new Error(`herald listen exited ${child.exitCode}: ${stderr}`);
  const webhookId = /webhook (wh_\w+)/.exec(stdout)?.[1] ?? '';
  const secret = /Signing secret: (whsec_\S+)/.exec(stdout)?.[1] ?? '';
  return { child, webhookId, secret, output: () => stdout, exited };
}

const published = (client: TestHerald['admin'], id: string) =>
  client.events.publish.mutate({
    type: 'message.received',
    event_id: id,
    inbox_id: 'inbox_listen',
    data: { message: { id: `msg_${id}`, from: 'a@example.com', to: ['b@example.com'], subject: 'Hi' } },
  });

/** The webhook's one delivery: its status and every attempt's status code. */
async function outcome(client: TestHerald['admin'], webhookId: string) {
  const { deliveries } = await client.deliveries.list.query({ webhook_id: webhookId });
  if (deliveries.length !== 1) return deliveries.length;
  const delivery = await client.deliveries.get.query({ delivery_id: deliveries[0]?.id ?? '' });
  return [delivery.status, delivery.attempts.map((a) => a.status_code)];
}

const errorOf = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<never>).data as unknown as { code: string; httpStatus: number; errors?: { path: string }[] };
};

describe('herald listen', () => {
  it('forwards a delivery signed as any other, which a Standard Webhooks verifier accepts; the local 200 is the outcome; outside the webhook limit', async () => {
    const { client, apiKey } = await herald.newAccount('listen one');
    // HERALD_MAX_WEBHOOKS_PER_ACCOUNT=1: the temporary webhook takes no place, the account's one is still free.
    const listening = await startListen(apiKey, '/hooks-one', ['--event-types', 'message.received']);
    try {
      await client.webhooks.create.mutate({ url: `${receiver.url}/regular`, event_types: ['message.sent'] });
      const second = await errorOf(client.webhooks.create.mutate({ url: `${receiver.url}/regular-2`, event_types: ['message.sent'] }));
      expect(second).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
      expect(await client.webhooks.get.query({ webhook_id: listening.webhookId })).toMatchObject({
        temporary: true,
        status: 'active',
        event_types: ['message.received'],
      });
      await published(client, 'evt_listen_one');
      await expect.poll(() => receiver.requests.filter((r) => r.path === '/hooks-one').length, { timeout: 30_000 }).toBe(1);
      const request = receiver.requests.find((r) => r.path === '/hooks-one');
      const verified = new Webhook(listening.secret).verify(request?.body ?? '', {
        'webhook-id': String(request?.headers['webhook-id']),
        'webhook-timestamp': String(request?.headers['webhook-timestamp']),
        'webhook-signature': String(request?.headers['webhook-signature']),
      });
      expect(verified).toMatchObject({ event: 'message.received', event_id: 'evt_listen_one' });
      expect(request?.headers['content-type']).toBe('application/json');
      await expect.poll(listening.output, { timeout: 30_000 }).toMatch(/message\.received {2}evt_listen_one {2}→ 200 \(\d+ ms\)/);
      await expect.poll(() => outcome(client, listening.webhookId), { timeout: 30_000 }).toEqual(['succeeded', [200]]);
    } finally {
      listening.child.kill('SIGINT');
      await listening.exited;
    }
  });

  it('retries a local 500 as a failed attempt, and never turns the temporary webhook unhealthy', async () => {
    const { client, apiKey } = await herald.newAccount('listen retry');
    scripted.set('/hooks-retry', (n) => ({ status: n < 3 ? 500 : 200, body: n < 3 ? 'local bug' : 'ok' }));
    const listening = await startListen(apiKey, '/hooks-retry');
    try {
      await published(client, 'evt_listen_retry');
      await expect.poll(() => outcome(client, listening.webhookId), { timeout: 60_000 }).toEqual(['succeeded', [500, 500, 500, 200]]);
      const { deliveries } = await client.deliveries.list.query({ webhook_id: listening.webhookId });
      const delivery = await client.deliveries.get.query({ delivery_id: deliveries[0]?.id ?? '' });
      expect(delivery.attempts[0]).toMatchObject({ status_code: 500, response_body: 'local bug' });
      expect(listening.output()).toMatch(/evt_listen_retry {2}→ 500/);
      // Three failures in a row, above HERALD_UNHEALTHY_AFTER=2: a regular webhook would be unhealthy.
      expect(await client.webhooks.get.query({ webhook_id: listening.webhookId })).toMatchObject({ status: 'active', failure_count: 0 });
    } finally {
      listening.child.kill('SIGINT');
      await listening.exited;
    }
  });

  it('refuses a --forward-to that is not an http(s) URL: one line naming the field, exit 2', async () => {
    const { apiKey } = await herald.newAccount('listen bad url');
    const child = spawn(process.execPath, [BIN, 'listen', '--forward-to', 'ftp://example.com/hooks'], {
      env: { ...process.env, HERALD_URL: herald.url, HERALD_API_KEY: apiKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, stderr }).toMatchObject({ code: 2, stderr: expect.stringContaining('forward_to') });
  });

  it('Ctrl-C deletes the temporary webhook and exits 0', async () => {
    const { client, apiKey } = await herald.newAccount('listen stop');
    const listening = await startListen(apiKey, '/hooks-stop');
    listening.child.kill('SIGINT');
    expect(await listening.exited).toBe(0);
    expect(listening.output()).toContain(`Stopped: webhook ${listening.webhookId} deleted.`);
    expect((await errorOf(client.webhooks.get.query({ webhook_id: listening.webhookId }))).code).toBe('NOT_FOUND');
  });

  it('a session whose CLI died is deleted with its webhook once HERALD_LISTEN_SESSION_GRACE has passed', async () => {
    const { client, apiKey } = await herald.newAccount('listen killed');
    const listening = await startListen(apiKey, '/hooks-killed');
    listening.child.kill('SIGKILL');
    await listening.exited;
    await expect
      .poll(async () => (await errorOf(client.webhooks.get.query({ webhook_id: listening.webhookId }))).code, { timeout: 60_000 })
      .toBe('NOT_FOUND');
  });

  it("refuses another account's session (404) and bad input (400 naming the field)", async () => {
    const owner = await herald.newAccount('listen owner');
    const other = await herald.newAccount('listen other');
    const started = await owner.client.listen.start.mutate({ forward_to: `${receiver.url}/hooks-owner` });
    try {
      const foreign = await errorOf(
        other.client.listen.respond.mutate({
          session_id: started.session_id,
          request_id: `${started.session_id}/x`,
          status_code: 200,
          duration_ms: 1,
        }),
      );
      expect(foreign).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
      expect((await errorOf(other.client.listen.stop.mutate({ session_id: started.session_id }))).code).toBe('NOT_FOUND');
      // The subscription, as the CLI holds it: the key and the session are checked before anything is relayed.
      const { producer_key } = await herald.admin.producer_keys.create.mutate({ name: 'listen producer' });
      const refusal = (apiKey: string) =>
        new Promise<unknown>((resolve) => {
          const subscription = listenClient({ url: herald.url, apiKey }).listen.requests.subscribe(
            { session_id: started.session_id },
            {
              onData: () => resolve('data'),
              onError: (error) => {
                subscription.unsubscribe();
                resolve(error.data?.code);
              },
            },
          );
        });
      expect(await refusal('hk_not_a_key')).toBe('UNAUTHORIZED');
      expect(await refusal(producer_key)).toBe('FORBIDDEN');
      expect(await refusal(other.apiKey)).toBe('NOT_FOUND');
      const bad = await errorOf(owner.client.listen.start.mutate({ forward_to: 'ftp://example.com/hooks' }));
      expect(bad).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
      expect(bad.errors?.map((e) => e.path)).toContain('forward_to');
      const unknownType = await errorOf(
        owner.client.listen.start.mutate({ forward_to: `${receiver.url}/x`, event_types: ['no.such_type'] }),
      );
      expect(unknownType.errors?.map((e) => e.path)).toContain('event_types.0');
    } finally {
      await owner.client.listen.stop.mutate({ session_id: started.session_id });
    }
  });
});
