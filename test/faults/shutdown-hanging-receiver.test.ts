// SIGTERM with many attempts queued behind a receiver that never answers (issue 14): Herald (src/main.ts,
// with its embedded Temporal and MongoDB-protocol servers, as `npm start` runs it) must end within
// HERALD_SHUTDOWN_GRACE whatever the receiver does, take its servers down with it, and lose nothing: the
// attempts it cut short are made again after the next start, and every event is delivered.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createHeraldClient } from '../../src/client/index.js';
import { isAlive, stopPid } from '../../src/dev-stack/processes.js';
import { type HeraldProcess, startHeraldProcess } from '../support/herald-process.js';
import { reapOnExit } from '../support/reaper.js';
import { startReceiver } from '../support/receiver.js';
import { stablePort } from '../support/stack.js';
import { checkDelivered, eventIds, FAULT_RETRY_SCHEDULE, publishBurst, say, subscribe, waitForAll } from './support.js';

const GRACE_MS = 25_000;
const WEBHOOKS = 10;
const EVENTS = 70;
const dataDir = mkdtempSync(join(tmpdir(), 'herald-shutdown-'));
const pidFiles = { temporal: join(dataDir, 'temporal', 'temporal.pid'), mongodb: join(dataDir, 'mongodb', 'mongodb.pid') };
const readPid = (file: string) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined);
const serverPids = () => [readPid(pidFiles.temporal), readPid(pidFiles.mongodb)].filter((pid): pid is number => pid !== undefined);

let herald: HeraldProcess | undefined;
const seenServers = new Set<number>();
afterAll(async () => {
  await herald?.kill();
  // Whatever the outcome, no server outlives the test.
  for (const pid of [...seenServers, ...serverPids()]) await stopPid(pid, 5_000);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('shutdown under a hanging receiver', () => {
  it('a SIGTERM ends within HERALD_SHUTDOWN_GRACE, stops the embedded servers, and the attempts it cut short are delivered later', async () => {
    const [api, temporal, ui, mongodb] = [await stablePort(), await stablePort(), await stablePort(), await stablePort()];
    const start = async () => {
      const started = await startHeraldProcess({
        entry: 'main',
        dir: dataDir,
        env: {
          HERALD_DATA_DIR: dataDir,
          HERALD_API_PORT: String(api),
          HERALD_DEV_TEMPORAL_PORT: String(temporal),
          HERALD_DEV_TEMPORAL_UI_PORT: String(ui),
          HERALD_DEV_MONGODB_PORT: String(mongodb),
          HERALD_ALLOW_PRIVATE_URLS: 'true',
          HERALD_RETRY_SCHEDULE: FAULT_RETRY_SCHEDULE,
          // The defaults, spelled out: a 15 s POST timeout, 25 s to shut down.
          HERALD_DELIVERY_TIMEOUT: '15s',
          HERALD_SHUTDOWN_GRACE: `${GRACE_MS}ms`,
          // The hanging receiver's failures must not park the deliveries: this is about the attempts.
          HERALD_UNHEALTHY_AFTER: '1000000',
          HERALD_LOG_LEVEL: 'warn',
        },
      });
      for (const pid of serverPids()) {
        seenServers.add(pid);
        reapOnExit(pid);
      }
      return started;
    };
    herald = await start();
    const adminKey = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
    const admin = createHeraldClient({ url: herald.url, apiKey: adminKey });
    let hanging = true;
    const receiver = await startReceiver(() => (hanging ? { hangMs: 3_600_000 } : { status: 200 }));
    try {
      // One account, ten webhooks on the receiver: 700 deliveries, more than the worker's 500 local-activity
      // slots, so that attempts wait for slots behind the hanging ones (what made the shutdown unbounded).
      const { client, secret } = await subscribe(admin, herald.url, receiver.url);
      const hooks = [{ path: '/hook', secret }];
      for (let i = 1; i < WEBHOOKS; i++) {
        const webhook = await client.webhooks.create.mutate({ url: `${receiver.url}/hook-${i}`, event_types: ['message.received'] });
        hooks.push({ path: `/hook-${i}`, secret: webhook.secret as string });
      }
      const ids = eventIds('shutdown-hang', EVENTS);
      await publishBurst(client, ids).done;
      // Attempts are hanging at the receiver (past the first wave's timeouts), and many more are queued behind them.
      await expect.poll(() => receiver.requests.length, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(100);
      const hungRequests = receiver.requests.length;

      const servers = serverPids();
      expect(servers).toHaveLength(2);
      const pid = herald.pid;
      // The producer keeps publishing through the shutdown (and retries whatever is not acknowledged).
      const later = eventIds('shutdown-during', 300);
      const during = publishBurst(client, later);
      await during.acknowledged(10);
      const signalledAt = Date.now();
      process.kill(pid, 'SIGTERM');
      // Polled a little beyond the grace only so that a miss reports how long it did take.
      const deadline = signalledAt + GRACE_MS + 15_000;
      while (isAlive(pid) && Date.now() < deadline) await sleep(50);
      const tookMs = Date.now() - signalledAt;
      const ended = !isAlive(pid);
      if (!ended) await herald.kill();
      herald = undefined;
      say(
        `SIGTERM with ${hungRequests} requests hanging at the receiver: ${ended ? `ended in ${(tookMs / 1000).toFixed(1)} s` : 'still running, killed'}`,
      );
      expect(ended, `Herald still running ${(tookMs / 1000).toFixed(1)} s after SIGTERM`).toBe(true);
      expect(tookMs).toBeLessThanOrEqual(GRACE_MS);
      // It took its embedded servers down with it.
      await expect.poll(() => servers.filter((server) => isAlive(server)), { timeout: 5_000 }).toEqual([]);

      // The receiver answers again; the next start makes the attempts that were cut short, and every event arrives.
      hanging = false;
      herald = await start();
      await during.done;
      ids.push(...later);
      const to = (path: string) => () => receiver.requests.filter((r) => r.path === path);
      let duplicates = 0;
      for (const hook of hooks) {
        await waitForAll(to(hook.path), ids, 240_000);
        duplicates += checkDelivered(to(hook.path)(), ids, hook.secret).duplicates;
      }
      say(`after the restart: ${ids.length} events × ${WEBHOOKS} webhooks all delivered (${duplicates} repeated webhook-ids)`);
      await herald.stop();
      herald = undefined;
    } finally {
      await receiver.close();
    }
  });
});
