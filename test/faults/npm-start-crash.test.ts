// `npm start` (the embedded Temporal and MongoDB-protocol servers, the API and a worker) killed with
// SIGKILL mid-burst, then `npm start` again on the same data dir, twice:
//   1. its process group dies: the servers end with it (each runs under a watcher that reads a pipe from
//      Herald, src/dev-stack/parent-watcher.ts): 5 s later no server process runs and no port is held;
//      the next start finds their PID files stale and must not mind;
//   2. the watchers were killed first (by hand, say), then the group: the servers survive as orphans,
//      and the next start must find them by their PID files and stop them before starting its own.
// Both times it comes up without manual cleanup and every acknowledged event is delivered.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHeraldClient } from '../../src/client/index.js';
import { isAlive, isPortFree, stopPid } from '../../src/dev-stack/processes.js';
import { type HeraldProcess, startHeraldProcess } from '../support/herald-process.js';
import { reapOnExit } from '../support/reaper.js';
import { startReceiver } from '../support/receiver.js';
import { stablePort } from '../support/stack.js';
import { checkDelivered, eventIds, FAULT_RETRY_SCHEDULE, publishBurst, say, subscribe, waitForAll } from './support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'herald-npm-start-'));
const pidFiles = { temporal: join(dataDir, 'temporal', 'temporal.pid'), mongodb: join(dataDir, 'mongodb', 'mongodb.pid') };
const readPid = (file: string) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined);
const serverPids = () => ({ temporal: readPid(pidFiles.temporal), mongodb: readPid(pidFiles.mongodb) });
/** A server's parent: its watcher. */
const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
/** Any process (a server or its watcher) still running with the data dir on its command line. */
function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) found.push(Number(entry));
    } catch {}
  }
  return found;
}

let herald: HeraldProcess | undefined;
afterAll(async () => {
  await herald?.stop();
  // Whatever the outcome, no server outlives the test.
  for (const pid of Object.values(serverPids())) if (pid) await stopPid(pid, 5_000);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start crash', () => {
  it('SIGKILL of its process group stops the servers too; orphans left by killed watchers are stopped by the next start; everything delivered', async () => {
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
      // 1. Herald's process group dies, and the servers with it: within 5 s, by PID and by port.
      const first = eventIds('npm-group', 200);
      let burst = publishBurst(client, first);
      await burst.acknowledged(70);
      const servers = serverPids();
      expect(servers.temporal && isAlive(servers.temporal)).toBe(true);
      expect(servers.mongodb && isAlive(servers.mongodb)).toBe(true);
      await herald.kill();
      const killedAt = Date.now();
      const gone = async () =>
        Object.values(servers).every((pid) => pid && !isAlive(pid)) &&
        (await Promise.all([temporal, ui, mongodb].map((port) => isPortFree(port)))).every(Boolean) &&
        processesUsing(dataDir).length === 0;
      await expect.poll(gone, { timeout: 5_000, interval: 100 }).toBe(true);
      say(`npm start SIGKILL: both servers and their watchers gone ${Date.now() - killedAt} ms after the group was killed`);
      // Their PID files are stale now: the next start must not mind.
      expect(existsSync(pidFiles.temporal) && existsSync(pidFiles.mongodb)).toBe(true);
      herald = await start();
      await burst.done;
      await waitForAll(() => receiver.requests, first);
      const afterGroup = checkDelivered(receiver.requests, first, secret);

      // 2. The watchers die first (the case the watcher cannot cover), then Herald's group: the servers
      // are orphaned, and the next start stops them by their PID files.
      const second = eventIds('npm-orphans', 200);
      burst = publishBurst(client, second);
      await burst.acknowledged(70);
      const orphans = serverPids();
      for (const pid of Object.values(orphans)) process.kill(parentOf(pid as number), 'SIGKILL');
      await herald.kill();
      expect(orphans.temporal && isAlive(orphans.temporal)).toBe(true);
      expect(orphans.mongodb && isAlive(orphans.mongodb)).toBe(true);
      herald = await start();
      for (const pid of Object.values(orphans)) expect(isAlive(pid as number)).toBe(false);
      await burst.done;
      const all = [...first, ...second];
      await waitForAll(() => receiver.requests, all);
      const { duplicates } = checkDelivered(receiver.requests, all, secret);
      say(
        `npm start SIGKILL: servers ended with the group (${afterGroup.duplicates} duplicate POSTs), then orphans of killed watchers ` +
          `replaced; ${all.length} events all delivered, ${duplicates} duplicate POSTs in total`,
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
