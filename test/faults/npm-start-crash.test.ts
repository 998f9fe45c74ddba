// `npm start` (the embedded Temporal and MongoDB-protocol servers, the API and a worker) killed with
// SIGKILL mid-burst, then `npm start` again on the same data dir, twice:
//   1. Herald's process group alone dies: the servers it started survive as orphans, and the next start
//      must find them by their PID files and stop them before starting its own;
//   2. everything dies (the servers too): the PID files are stale, and the next start must not mind.
// Both times it comes up without manual cleanup and every acknowledged event is delivered.
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

const dataDir = mkdtempSync(join(tmpdir(), 'herald-npm-start-'));
const pidFiles = { temporal: join(dataDir, 'temporal', 'temporal.pid'), mongodb: join(dataDir, 'mongodb', 'mongodb.pid') };
const readPid = (file: string) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined);
const serverPids = () => ({ temporal: readPid(pidFiles.temporal), mongodb: readPid(pidFiles.mongodb) });

let herald: HeraldProcess | undefined;
afterAll(async () => {
  await herald?.stop();
  // Whatever the outcome, no server outlives the test.
  for (const pid of Object.values(serverPids())) if (pid) await stopPid(pid, 5_000);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start crash', () => {
  it('comes back after SIGKILL of its process group (orphaned servers, then stale PID files) and delivers everything', async () => {
    const [api, temporal, ui, mongodb] = [await stablePort(), await stablePort(), await stablePort(), await stablePort()];
    const start = async () => {
      const started = await startHeraldProcess({
        entry: 'npm-start',
        dir: dataDir,
        env: {
          HERALD_DATA_DIR: dataDir,
          HERALD_API_PORT: String(api),
          HERALD_DEV_TEMPORAL_PORT: String(temporal),
          HERALD_DEV_TEMPORAL_UI_PORT: String(ui),
          HERALD_DEV_MONGODB_PORT: String(mongodb),
          HERALD_ALLOW_PRIVATE_URLS: 'true',
          HERALD_RETRY_SCHEDULE: FAULT_RETRY_SCHEDULE,
          HERALD_LOG_LEVEL: 'warn',
        },
      });
      // Started by Herald, not by this test: still, they must not outlive it if it is cut short.
      for (const pid of Object.values(serverPids())) if (pid) reapOnExit(pid);
      return started;
    };
    herald = await start();
    // No HERALD_ADMIN_API_KEY: the first start generated one into the data dir, and later starts reuse it.
    const adminKey = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
    const admin = createHeraldClient({ url: herald.url, apiKey: adminKey });
    const receiver = await startReceiver();
    const { client, secret } = await subscribe(admin, herald.url, receiver.url);

    try {
      // 1. Herald's process group dies; the servers are orphaned.
      const first = eventIds('npm-orphans', 200);
      let burst = publishBurst(client, first);
      await burst.acknowledged(70);
      const orphans = serverPids();
      await herald.kill();
      expect(orphans.temporal && isAlive(orphans.temporal)).toBe(true);
      expect(orphans.mongodb && isAlive(orphans.mongodb)).toBe(true);
      herald = await start();
      for (const pid of Object.values(orphans)) expect(isAlive(pid as number)).toBe(false);
      await burst.done;
      await waitForAll(() => receiver.requests, first);
      const afterOrphans = checkDelivered(receiver.requests, first, secret);

      // 2. Everything dies at once: Herald's group and both servers.
      const second = eventIds('npm-everything', 200);
      burst = publishBurst(client, second);
      await burst.acknowledged(70);
      const servers = serverPids();
      await Promise.all([herald.kill(), ...Object.values(servers).map((pid) => pid && process.kill(pid, 'SIGKILL'))]);
      while (Object.values(servers).some((pid) => pid && isAlive(pid))) await sleep(20);
      expect(existsSync(pidFiles.temporal) && existsSync(pidFiles.mongodb)).toBe(true);
      herald = await start();
      await burst.done;
      const all = [...first, ...second];
      await waitForAll(() => receiver.requests, all);
      const { duplicates } = checkDelivered(receiver.requests, all, secret);
      say(
        `npm start SIGKILL: orphaned servers replaced (${afterOrphans.duplicates} duplicate POSTs), then everything killed and ` +
          `restarted over stale PID files; ${all.length} events all delivered, ${duplicates} duplicate POSTs in total`,
      );

      // A graceful stop takes the servers down with it.
      const running = serverPids();
      await herald.stop();
      herald = undefined;
      for (const pid of Object.values(running)) expect(isAlive(pid as number)).toBe(false);
    } finally {
      await receiver.close();
    }
  });
});
