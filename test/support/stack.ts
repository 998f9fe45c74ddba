// A Temporal dev server and a MongoDB-protocol server on free ports under one directory, owned by the
// caller: the fault tests stop, kill and restart them by PID; the benchmark measures their CPU.
// Restarts reuse the same ports and data files, as `npm start` would after a crash.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMongoServer, type MongoBinary, type MongoServer, startMongoServer } from '../../src/dev-stack/mongodb-server.js';
import { freePort, isAlive, isPortFree } from '../../src/dev-stack/processes.js';
import { findTemporalCli, startTemporalServer, type TemporalServer } from '../../src/dev-stack/temporal-server.js';
import { reapOnExit, released } from './reaper.js';

export interface Stack {
  dir: string;
  /** Which servers these are, for reports: e.g. `temporal (file)`, `ferretdb-v1.24.2-herald.1`. */
  description: string;
  temporalAddress: string;
  mongodbUri: string;
  temporalPid(): number;
  mongodbPid(): number;
  /** SIGTERM (graceful, PID file removed) or SIGKILL (a crash: the PID file stays behind). */
  stopTemporal(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  startTemporal(): Promise<void>;
  stopMongo(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  startMongo(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** `file`: SQLite with WAL, exactly what `npm start` runs. `memory`: the tests' in-memory server. */
  temporal: 'file' | 'memory';
  log?: (msg: string) => void;
  dir?: string;
}

export async function findBinaries(log: (msg: string) => void): Promise<{ cliPath: string; mongoBinary: MongoBinary }> {
  const dataDir = process.env.HERALD_DATA_DIR ?? '.herald';
  const [cliPath, mongoBinary] = await Promise.all([
    findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, dataDir, log }),
    findMongoServer({ ferretdbPath: process.env.FERRETDB_PATH, mongodPath: process.env.MONGOD_PATH, dataDir, log }),
  ]);
  return { cliPath, mongoBinary };
}

/**
 * A free port below the kernel's ephemeral range (32768–60999 by default): a server restarted on it
 * cannot find it taken by some process's outgoing connection in the meantime, which an OS-assigned
 * ephemeral port can be on a busy machine.
 */
export async function stablePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isPortFree(port)) return port;
  }
  return freePort();
}

async function kill(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  while (isAlive(pid)) await sleep(20);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => {});
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'herald-stack-'));
  const { cliPath, mongoBinary } = await findBinaries(log);
  const [temporalPort, uiPort, mongoPort] = [await stablePort(), await stablePort(), await stablePort()];
  const temporalOptions = {
    cliPath,
    dataDir: join(dir, 'temporal'),
    port: temporalPort,
    uiPort,
    namespace: 'default',
    ephemeral: options.temporal === 'memory',
  };
  const mongoOptions = { dataDir: join(dir, 'mongodb'), port: mongoPort };
  let temporal: TemporalServer | undefined;
  let mongo: MongoServer | undefined;

  const stack: Stack = {
    dir,
    description: `${basename(cliPath)} server start-dev (${options.temporal === 'file' ? 'SQLite file, WAL' : 'in memory'}), ${basename(mongoBinary.path)}`,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    mongodbUri: `mongodb://127.0.0.1:${mongoPort}/`,
    temporalPid: () => temporal?.pid ?? 0,
    mongodbPid: () => mongo?.pid ?? 0,
    async startTemporal() {
      temporal = await startTemporalServer(temporalOptions, log);
      reapOnExit(temporal.pid);
    },
    async stopTemporal(signal) {
      if (!temporal) return;
      await (signal === 'SIGKILL' ? kill(temporal.pid) : temporal.stop());
      released(temporal.pid);
      temporal = undefined;
    },
    async startMongo() {
      mongo = await startMongoServer(mongoBinary, mongoOptions, log);
      reapOnExit(mongo.pid);
    },
    async stopMongo(signal) {
      if (!mongo) return;
      await (signal === 'SIGKILL' ? kill(mongo.pid) : mongo.stop());
      released(mongo.pid);
      mongo = undefined;
    },
    async stop() {
      await Promise.allSettled([stack.stopTemporal('SIGTERM'), stack.stopMongo('SIGTERM')]);
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  // Settled, not all: when one server fails to start, the other may still be starting, and must be
  // stopped once it has (it would outlive the run otherwise).
  const started = await Promise.allSettled([stack.startTemporal(), stack.startMongo()]);
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stack.stop();
    throw failed.reason;
  }
  return stack;
}
