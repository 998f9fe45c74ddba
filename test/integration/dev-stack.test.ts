// The embedded stack's promises: a clear error for a busy port, orphans of a crashed Herald stopped,
// config errors listed at boot, /healthz vs /readyz telling liveness from readiness, and a 503 (not a
// 500) while MongoDB is down.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMongoServer, type MongoBinary, startMongoServer } from '../../src/dev-stack/mongodb-server.js';
import { freePort, isAlive, PortBusyError } from '../../src/dev-stack/processes.js';
import { findTemporalCli, startTemporalServer } from '../../src/dev-stack/temporal-server.js';
import { startTestHerald } from '../support/herald.js';

const quiet = () => {};
let dir: string;
let mongoBinary: MongoBinary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-dev-stack-'));
  mongoBinary = await findMongoServer({
    ferretdbPath: process.env.FERRETDB_PATH,
    mongodPath: process.env.MONGOD_PATH,
    dataDir: '.herald',
    log: quiet,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe('embedded servers', () => {
  it('names the variable that moves a busy port', async () => {
    const { port, server } = await occupy();
    try {
      const mongo = startMongoServer(mongoBinary, { dataDir: join(dir, 'busy-mongo'), port }, quiet);
      await expect(mongo).rejects.toThrow(PortBusyError);
      await expect(mongo).rejects.toThrow(/HERALD_DEV_MONGODB_PORT/);
      const cliPath = await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, dataDir: '.herald', log: quiet });
      const temporal = startTemporalServer(
        { cliPath, dataDir: join(dir, 'busy-temporal'), port, uiPort: 0, namespace: 'default', ephemeral: true },
        quiet,
      );
      await expect(temporal).rejects.toThrow(/HERALD_DEV_TEMPORAL_PORT/);
    } finally {
      server.close();
    }
  });

  it('stops a server orphaned by a crashed Herald and starts afresh on the same data', async () => {
    const dataDir = join(dir, 'orphan');
    const port = await freePort();
    const first = await startMongoServer(mongoBinary, { dataDir, port }, quiet);
    // Herald "crashes": its server keeps running and keeps the port; only the PID file remains.
    const logged: string[] = [];
    const second = await startMongoServer(mongoBinary, { dataDir, port }, (msg) => logged.push(msg));
    try {
      expect(isAlive(first.pid)).toBe(false);
      expect(isAlive(second.pid)).toBe(true);
      expect(logged.join('\n')).toMatch(new RegExp(`pid ${first.pid}`));
      expect(Number(readFileSync(join(dataDir, 'mongodb.pid'), 'utf8'))).toBe(second.pid);
    } finally {
      await second.stop();
    }
  });

  it('ignores a stale PID file whose process is gone or is something else', async () => {
    const dataDir = join(dir, 'stale');
    const port = await freePort();
    const bystander = spawn('sleep', ['30']);
    try {
      await startMongoServer(mongoBinary, { dataDir, port }, quiet).then((s) => s.stop());
      // The PID file now names a process that is not a MongoDB server: it must be left alone.
      writeFileSync(join(dataDir, 'mongodb.pid'), String(bystander.pid));
      const server = await startMongoServer(mongoBinary, { dataDir, port }, quiet);
      await server.stop();
      expect(isAlive(bystander.pid as number)).toBe(true);
    } finally {
      bystander.kill();
    }
  });
});

describe('process', () => {
  it('refuses to boot with bad configuration, listing every invalid variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, HERALD_API_PORT: 'eighty', MONGODB_URI: 'postgres://nope', HERALD_DELIVERY_TIMEOUT: '15' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    for (const variable of ['HERALD_API_PORT', 'MONGODB_URI', 'HERALD_DELIVERY_TIMEOUT']) expect(result.stderr).toContain(variable);
  });
});

describe('health endpoints', () => {
  it('answers /healthz while alive and /readyz only while its servers are reachable', async () => {
    // Its own MongoDB-protocol server, so that this test can stop it.
    const mongo = await startMongoServer(mongoBinary, { dataDir: join(dir, 'ready'), port: await freePort() }, quiet);
    const herald = await startTestHerald({ MONGODB_URI: mongo.uri });
    try {
      expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${herald.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ mongodb: true, temporal: true, worker: true });

      await mongo.stop();
      await expect.poll(async () => (await fetch(`${herald.url}/readyz`)).status, { timeout: 30_000, interval: 500 }).toBe(503);
      expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
    } finally {
      await herald.stop().catch(() => undefined);
      await mongo.stop();
    }
  });
});

describe('a server down', () => {
  it('answers 503 with reason unavailable while MongoDB is down, on both faces, and serves again once it is back', async () => {
    const mongoOptions = { dataDir: join(dir, 'down'), port: await freePort() };
    let mongo = await startMongoServer(mongoBinary, mongoOptions, quiet);
    const herald = await startTestHerald({ MONGODB_URI: mongo.uri });
    try {
      const { client, apiKey } = await herald.newAccount();
      await client.events.list.query({});
      await mongo.stop();

      // An account key is checked against MongoDB before the procedure runs; the admin key is not,
      // so its call fails inside the procedure: both are 503.
      for (const call of [() => client.events.list.query({}), () => herald.admin.accounts.create.mutate({ name: 'Later' })]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TRPCClientError);
        expect((error as TRPCClientError<never>).data).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          httpStatus: 503,
          reason: 'unavailable',
        });
        expect((error as Error).message).toBe('MongoDB is unavailable; retry shortly');
      }
      const rest = await fetch(`${herald.url}/v1/events`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(rest.status).toBe(503);
      expect(await rest.json()).toMatchObject({
        name: 'ServiceUnavailableError',
        message: 'MongoDB is unavailable; retry shortly',
        reason: 'unavailable',
      });

      mongo = await startMongoServer(mongoBinary, mongoOptions, quiet);
      await expect
        .poll(
          () =>
            client.events.list.query({}).then(
              () => 'served',
              (e: Error) => e.message,
            ),
          { timeout: 30_000, interval: 500 },
        )
        .toBe('served');
    } finally {
      await herald.stop().catch(() => undefined);
      await mongo.stop();
    }
  });
});
