// The `herald` CLI as a user runs it: a child process (bin/herald.mjs) against a live Herald, one test per
// command family, JSON output parsed, tables read as text, exit codes checked (2 bad input, 1 otherwise).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAIMON_EXAMPLES, publishInputOf } from '../support/daimon-examples.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, type Reply, startReceiver } from '../support/receiver.js';

const BIN = new URL('../../bin/herald.mjs', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function herald(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function json<T = Record<string, unknown>>(run: Run): T {
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as T;
}

let server: TestHerald;
let receiver: Receiver;
let failing = true;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));

beforeAll(async () => {
  server = await startTestHerald({ HERALD_RETRY_SCHEDULE: '100ms' });
  receiver = await startReceiver((): Reply => ({ status: failing ? 500 : 200 }));
  const { apiKey } = await server.newAccount('cli');
  env = { HERALD_URL: server.url, HERALD_API_KEY: apiKey };
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

// Each run is a new Node process compiling the CLI's TypeScript (tsx): seconds on a busy machine.
const SLOW = 180_000;

describe('herald CLI', () => {
  it(
    'accounts: the admin creates an account, whose key then works',
    async () => {
      const created = json<{ account: { id: string }; api_key: string }>(
        await herald(['accounts', 'create', '--name', 'From the CLI', '--json'], {
          HERALD_URL: server.url,
          HERALD_API_KEY: server.adminKey,
        }),
      );
      expect(created.api_key).toMatch(/^hk_/);
      // --url and --api-key before the command override the environment.
      const listed = json<{ api_keys: unknown[] }>(
        await herald(['--url', server.url, '--api-key', created.api_key, 'api-keys', 'list', '--json'], {
          HERALD_URL: 'http://127.0.0.1:1',
        }),
      );
      expect(listed.api_keys).toHaveLength(1);
      // An account key may not create accounts: a 4xx, one line, exit 2.
      const refused = await herald(['accounts', 'create', '--name', 'x'], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/^error: 401 /);
    },
    SLOW,
  );

  it(
    'api-keys: create, list (a table), revoke',
    async () => {
      const key = json<{ id: string; key: string }>(await herald(['api-keys', 'create', '--name', 'ci', '--json'], env));
      const table = await herald(['api-keys', 'list'], env);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(key.id);
      expect(table.stdout).toContain('│');
      expect((await herald(['api-keys', 'revoke', key.id], env)).code).toBe(0);
      const revoked = await herald(['api-keys', 'list', '--api-key', key.key], env);
      expect(revoked.code).toBe(2);
    },
    SLOW,
  );

  it(
    'event-types list shows the catalogue',
    async () => {
      const { event_types } = json<{ event_types: Array<{ type: string }> }>(await herald(['event-types', 'list', '--json'], env));
      expect(event_types.map((t) => t.type)).toContain('message.received');
    },
    SLOW,
  );

  it(
    'webhooks, events and deliveries: create, publish @file, list failed, replay, recover with progress',
    async () => {
      const webhook = json<{ id: string; secret: string; event_types: string[] }>(
        await herald(['webhooks', 'create', '--url', receiver.url, '--event-types', 'message.received,message.bounced', '--json'], env),
      );
      expect(webhook).toMatchObject({ event_types: ['message.received', 'message.bounced'] });
      expect(webhook.secret).toMatch(/^whsec_/);
      expect(json<{ webhooks: unknown[] }>(await herald(['webhooks', 'list', '--status', 'unhealthy', '--json'], env)).webhooks).toEqual(
        [],
      );

      // Bad input: Herald's 400 names the field; exit 2, one line.
      const bad = await herald(['webhooks', 'create', '--url', 'ftp://example.com', '--event-types', 'message.received'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain('url');

      const { data, ...rest } = publishInputOf(DAIMON_EXAMPLES['message.received'] as never);
      const file = join(dir, 'event.json');
      writeFileSync(file, JSON.stringify(data));
      const event = json<{ id: string }>(
        await herald(['events', 'publish', '--type', rest.type, '--event-id', `${rest.event_id}_cli`, '--data', `@${file}`, '--json'], env),
      );
      await receiver.waitFor(1);
      // daimon's envelope: the data's fields beside event and event_id.
      expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({ event: 'message.received', ...data });

      const failed = async () =>
        json<{ deliveries: Array<{ id: string; event_id: string }> }>(
          await herald(['deliveries', 'list', '--webhook-id', webhook.id, '--status', 'failed', '--json'], env),
        ).deliveries;
      await expect.poll(failed, { timeout: 60_000, interval: 500 }).toHaveLength(1);
      const [delivery] = await failed();
      expect(delivery?.event_id).toBe(event.id);

      failing = false;
      const replayed = await herald(['deliveries', 'replay', delivery?.id ?? '', '--json'], env);
      expect(json(replayed)).toMatchObject({ id: delivery?.id, status: 'pending' });
      await expect
        .poll(async () => json<{ status: string }>(await herald(['deliveries', 'get', delivery?.id ?? '', '--json'], env)).status, {
          timeout: 60_000,
          interval: 500,
        })
        .toBe('succeeded');

      // Recover: a second failed delivery, then recover since before it, following the progress to the end.
      failing = true;
      const since = new Date(Date.now() - 1_000).toISOString();
      json(
        await herald(
          ['events', 'publish', '--type', rest.type, '--event-id', `${rest.event_id}_cli2`, '--data', `@${file}`, '--json'],
          env,
        ),
      );
      await expect.poll(failed, { timeout: 60_000, interval: 500 }).toHaveLength(1);
      failing = false;
      const recovered = json<{ total: number; done: number; finished: boolean }>(
        await herald(['deliveries', 'recover', webhook.id, '--since', since, '--json'], env),
      );
      expect(recovered).toMatchObject({ total: 1, done: 1, finished: true });
      const started = json<{ recovery_id: string }>(
        await herald(['deliveries', 'recover', webhook.id, '--since', since, '--no-wait', '--json'], env),
      );
      expect(started.recovery_id).toMatch(/^rcv_/);
    },
    2 * SLOW,
  );

  it(
    'exits 2 for a bad command line and 1 when Herald cannot be reached',
    async () => {
      const unknown = await herald(['webhooks', 'create', '--no-such-option'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
      const badJson = await herald(['events', 'publish', '--type', 'message.received', '--data', '{nope'], env);
      expect(badJson).toMatchObject({ code: 2 });
      expect(badJson.stderr).toMatch(/^error: data: /);
      const down = await herald(['webhooks', 'list', '--url', 'http://127.0.0.1:1'], env);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/^error: cannot reach Herald/);
    },
    SLOW,
  );
});
