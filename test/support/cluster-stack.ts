// A real Temporal cluster (the Temporal server built from its Go module, PostgreSQL 15, 4 history
// shards) plus FerretDB, on free ports under one directory, as a `Stack` (stack.ts): the cluster tests
// and the split bench stop, kill and restart its servers by PID exactly as they do the dev stack's.
// Every server's log stays in that directory.
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMongoServer, type MongoServer, startMongoServer } from '../../src/dev-stack/mongodb-server.js';
import { type PostgresServer, startPostgres } from '../../src/dev-stack/postgres.js';
import { isAlive } from '../../src/dev-stack/processes.js';
import {
  clusterPorts,
  findTemporalClusterBinaries,
  registerNamespace,
  setupTemporalSchema,
  startTemporalCluster,
  TEMPORAL_SERVER_BUILD,
  type TemporalCluster,
} from '../../src/dev-stack/temporal-cluster.js';
import { reapOnExit, released } from './reaper.js';
import { type Stack, stablePort } from './stack.js';

export const CLUSTER_HISTORY_SHARDS = 4;

export interface ClusterStack extends Stack {
  postgresPid(): number;
  /** Every log file under the stack's directory (servers and Herald processes). */
  logFiles(): string[];
  /** Stops everything; `keep` leaves the directory (logs and data) in place. */
  stop(keep?: boolean): Promise<void>;
}

async function kill(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  while (isAlive(pid)) await sleep(20);
}

export function listLogs(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.log'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export async function startClusterStack(options: { dir: string; namespace?: string; log?: (msg: string) => void }): Promise<ClusterStack> {
  const log = options.log ?? (() => {});
  const dir = options.dir;
  mkdirSync(dir, { recursive: true });
  // PostgreSQL runs as the `postgres` user and must reach its directory inside this one (mkdtemp makes 0700).
  chmodSync(dir, 0o755);
  const namespace = options.namespace ?? 'default';
  const dataDir = process.env.HERALD_DATA_DIR ?? '.herald';
  const [binaries, mongoBinary] = await Promise.all([
    findTemporalClusterBinaries(log),
    findMongoServer({ ferretdbPath: process.env.FERRETDB_PATH, mongodPath: process.env.MONGOD_PATH, dataDir, log }),
  ]);
  const ports = await clusterPorts(stablePort);
  const [postgresPort, mongoPort] = [await stablePort(), await stablePort()];
  const mongoOptions = { dataDir: join(dir, 'mongodb'), port: mongoPort };
  let postgres: PostgresServer | undefined;
  let temporal: TemporalCluster | undefined;
  let mongo: MongoServer | undefined;

  const stack: ClusterStack = {
    dir,
    description: `${TEMPORAL_SERVER_BUILD} (PostgreSQL 15, ${CLUSTER_HISTORY_SHARDS} history shards), ${mongoBinary.path.split('/').at(-1)}`,
    temporalAddress: `127.0.0.1:${ports.FRONTEND_PORT}`,
    mongodbUri: `mongodb://127.0.0.1:${mongoPort}/`,
    temporalPid: () => temporal?.pid ?? 0,
    mongodbPid: () => mongo?.pid ?? 0,
    postgresPid: () => postgres?.pid ?? 0,
    logFiles: () => listLogs(dir),
    async startTemporal() {
      temporal = await startTemporalCluster(
        {
          binaries,
          postgresPort,
          historyShards: CLUSTER_HISTORY_SHARDS,
          ports,
          logFile: join(dir, 'temporal-server.log'),
          pidFile: join(dir, 'temporal-server.pid'),
        },
        log,
      );
      reapOnExit(temporal.pid);
    },
    async stopTemporal(signal) {
      if (!temporal) return;
      await (signal === 'SIGKILL' ? kill(temporal.pid) : temporal.stop(20_000));
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
    async stop(keep = false) {
      await Promise.allSettled([stack.stopTemporal('SIGTERM'), stack.stopMongo('SIGTERM')]);
      if (postgres) {
        await postgres.stop();
        released(postgres.pid);
        postgres = undefined;
      }
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    const mongoStarted = stack.startMongo();
    mongoStarted.catch(() => {}); // awaited below; a failure there must not be unhandled meanwhile
    postgres = await startPostgres({ dir: join(dir, 'postgres'), port: postgresPort, logFile: join(dir, 'postgres.log') }, log);
    reapOnExit(postgres.pid);
    await setupTemporalSchema(binaries, postgresPort, log, join(dir, 'temporal-sql-tool.log'));
    await stack.startTemporal();
    log(`temporal cluster: registering namespace ${namespace}`);
    await registerNamespace(stack.temporalAddress, namespace);
    await mongoStarted;
  } catch (error) {
    await stack.stop(true);
    throw new Error(
      `${(error as Error).message}\nlogs: ${listLogs(dir)
        .map((f) => relative(process.cwd(), f))
        .join(', ')}`,
    );
  }
  return stack;
}
