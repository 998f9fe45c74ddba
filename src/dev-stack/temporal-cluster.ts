// A real Temporal cluster for the cluster tests and the split bench (not `npm start`, which runs the
// CLI's dev server): the Temporal server built from its Go module (all four services in one process),
// on PostgreSQL (postgres.ts), its schemas applied by the server's own `sql` tool, the namespace
// registered through the frontend as an operator would. Stopped by PID like the other servers.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { runWithProgress } from './go-build.js';
import { freePort, goAtLeast, goToolchain, type ManagedProcess, spawnServer } from './processes.js';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';
/** Named apart from anything else in GOPATH/bin (the module's own names are `server` and `sql`). */
export const TEMPORAL_SERVER_BUILD = `temporal-server-${TEMPORAL_SERVER_VERSION}`;
export const TEMPORAL_SQL_TOOL_BUILD = `temporal-sql-${TEMPORAL_SERVER_VERSION}`;

/** The project's config template (rendered by the server itself) and dynamic config. */
export const CLUSTER_CONFIG_ROOT = resolve(import.meta.dirname, 'temporal-cluster');

export interface TemporalClusterBinaries {
  server: string;
  sqlTool: string;
  /** `schema/postgresql/v12` in the module cache. */
  schemaDir: string;
}

/** Cached builds in GOPATH/bin, or `go install` of both (≈2 minutes and 1.6 GB of memory, once). */
export async function findTemporalClusterBinaries(log: (msg: string) => void): Promise<TemporalClusterBinaries> {
  const go = goToolchain();
  if (!go || !goAtLeast(go, 1, 25)) throw new Error('The Temporal cluster is built from its Go module: install Go ≥ 1.25');
  const bin = join(go.gopath, 'bin');
  const server = join(bin, TEMPORAL_SERVER_BUILD);
  const sqlTool = join(bin, TEMPORAL_SQL_TOOL_BUILD);
  for (const [target, pkg] of [
    [server, 'cmd/server'],
    [sqlTool, 'cmd/tools/sql'],
  ] as const) {
    if (existsSync(target)) {
      log(`temporal cluster: using cached build ${target}`);
      continue;
    }
    // go install names the binary after its package directory: build into a scratch GOBIN, then rename.
    const scratch = mkdtempSync(join(tmpdir(), 'herald-temporal-server-'));
    try {
      log(`temporal cluster: building ${MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION} (≈2 minutes for the server, once)`);
      await runWithProgress(
        `${pkg} build`,
        'go',
        ['install', `${MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION}`],
        { env: { ...process.env, GOBIN: scratch } },
        log,
      );
      mkdirSync(bin, { recursive: true });
      renameSync(join(scratch, pkg.split('/').at(-1) as string), target);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const download = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], { encoding: 'utf8' }),
  ) as { Dir?: string; Error?: string };
  if (!download.Dir) throw new Error(`go mod download ${MODULE}@${TEMPORAL_SERVER_VERSION} failed: ${download.Error ?? 'no Dir'}`);
  const schemaDir = join(download.Dir, 'schema', 'postgresql', 'v12');
  if (!existsSync(schemaDir)) throw new Error(`no PostgreSQL schema in ${schemaDir}`);
  return { server, sqlTool, schemaDir };
}

/** Creates the `temporal` and `temporal_visibility` databases and applies every schema version to them. */
export async function setupTemporalSchema(
  binaries: TemporalClusterBinaries,
  postgresPort: number,
  log: (msg: string) => void,
  logFile?: string,
): Promise<void> {
  const common = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(postgresPort), '-u', 'temporal', '--pw', 'temporal'];
  const run = (args: string[]) =>
    execFileSync(binaries.sqlTool, [...common, ...args], { encoding: 'utf8', stdio: 'pipe', timeout: 120_000 }) as string;
  const output: string[] = [];
  try {
    for (const [db, dir] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      log(`temporal cluster: schema of ${db}`);
      output.push(run(['--db', db, 'create-database', '--defaultdb', 'postgres']));
      output.push(run(['--db', db, 'setup-schema', '-v', '0.0']));
      output.push(run(['--db', db, 'update-schema', '-d', join(binaries.schemaDir, dir, 'versioned')]));
    }
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`the Temporal sql tool failed: ${e.stderr || e.message}`);
  } finally {
    if (logFile) appendFileSync(logFile, output.join(''));
  }
}

export interface TemporalClusterOptions {
  binaries: TemporalClusterBinaries;
  postgresPort: number;
  /** At least 4 (the minimum); fixed by the first start on a database. */
  historyShards?: number;
  logFile: string;
  pidFile: string;
  /** Ports are chosen once and kept, so that a restart comes back on the same address. */
  ports?: ClusterPorts;
}

export type ClusterPorts = Record<(typeof PORT_NAMES)[number], number>;
const PORT_NAMES = [
  'FRONTEND_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

export async function clusterPorts(pick: () => Promise<number> = freePort): Promise<ClusterPorts> {
  const ports: Partial<ClusterPorts> = {};
  const used = new Set<number>();
  for (const name of PORT_NAMES) {
    let port = await pick();
    while (used.has(port)) port = await pick();
    used.add(port);
    ports[name] = port;
  }
  return ports as ClusterPorts;
}

export interface TemporalCluster extends ManagedProcess {
  address: string;
  ports: ClusterPorts;
}

/** Starts the server; resolves once the frontend accepts connections (the namespace is a separate step). */
export async function startTemporalCluster(options: TemporalClusterOptions, log: (msg: string) => void): Promise<TemporalCluster> {
  const ports = options.ports ?? (await clusterPorts());
  log(
    `temporal cluster: starting ${TEMPORAL_SERVER_BUILD} on 127.0.0.1:${ports.FRONTEND_PORT} (${options.historyShards ?? 4} history shards)`,
  );
  const server = await spawnServer({
    name: 'Temporal server',
    command: options.binaries.server,
    args: ['--root', CLUSTER_CONFIG_ROOT, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'],
    env: {
      ...process.env,
      TEMPORAL_ROOT_DIR: CLUSTER_CONFIG_ROOT,
      NUM_HISTORY_SHARDS: String(options.historyShards ?? 4),
      PG_PORT: String(options.postgresPort),
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    },
    logFile: options.logFile,
    pidFile: options.pidFile,
    port: ports.FRONTEND_PORT,
    readyTimeoutMs: 120_000,
  });
  return { ...server, address: `127.0.0.1:${ports.FRONTEND_PORT}`, ports };
}

/**
 * Registers the namespace through the frontend (what `temporal operator namespace create` does),
 * retrying while the freshly started server still refuses calls; an existing namespace is fine.
 */
export async function registerNamespace(address: string, namespace: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 5_000 });
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
      return;
    } catch (error) {
      if ((error as { code?: number }).code === 6 /* ALREADY_EXISTS */) return;
      lastError = error;
      await sleep(500);
    } finally {
      await connection?.close();
    }
  }
  throw new Error(`could not register namespace ${namespace} on ${address}: ${(lastError as Error)?.message}`);
}
