// The embedded Temporal: the Temporal CLI's dev server, file-backed under the data dir.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SEARCH_ATTRIBUTE_NAMES } from '../temporal/search-attributes.js';
import { runWithProgress } from './go-build.js';
import { assertPortFree, goAtLeast, goToolchain, type ManagedProcess, onPath, spawnServer, stopOrphan } from './processes.js';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export interface FindOptions {
  explicitPath: string | undefined;
  dataDir: string;
  log: (msg: string) => void;
}

/** Explicit path → PATH → cached build (data dir, GOPATH) → `go install` → a clear error. */
export async function findTemporalCli({ explicitPath, dataDir, log }: FindOptions): Promise<string> {
  if (explicitPath) {
    if (!existsSync(explicitPath)) throw new Error(`TEMPORAL_CLI_PATH points to ${explicitPath}, which does not exist`);
    log(`temporal: using TEMPORAL_CLI_PATH=${explicitPath}`);
    return explicitPath;
  }
  const found = onPath('temporal');
  if (found) {
    log(`temporal: using ${found} from PATH`);
    return found;
  }
  const go = goToolchain();
  const cached = [join(dataDir, 'bin', 'temporal'), ...(go ? [join(go.gopath, 'bin', 'temporal')] : [])].find((p) => existsSync(p));
  if (cached) {
    log(`temporal: using cached build ${cached}`);
    return cached;
  }
  if (!go || !goAtLeast(go, 1, 25)) {
    throw new Error(
      'No Temporal CLI found. Install it (https://docs.temporal.io/cli), set TEMPORAL_CLI_PATH, point ' +
        'TEMPORAL_ADDRESS at a running server, or install Go ≥ 1.25 so that Herald can build it.',
    );
  }
  log('temporal: not found; building the Temporal CLI from source (≈4 minutes, once)');
  await runWithProgress('temporal build', 'go', ['install', TEMPORAL_CLI_MODULE], {}, log);
  return join(go.gopath, 'bin', 'temporal');
}

export interface TemporalServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** No UI and an in-memory database: for tests. */
  ephemeral?: boolean;
}

/**
 * The visibility queue (what the UI and `workflow list` search) is read at most once a second, up to
 * 1,000 tasks at a time. A delivery's workflow usually closes within that second, and the server then
 * skips its started and search-attribute records (it does so for any workflow no longer running) and
 * writes only the closed one: ≈ 12 % less CPU per delivery over all processes, 15 % of the server's, in
 * back-to-back `npm run bench` runs at 30 events/s. Lists run up to a second behind; a workflow's own
 * page (history, status) does not.
 */
const VISIBILITY_SETTINGS = ['history.visibilityProcessorMaxPollRPS=1', 'history.visibilityTaskBatchSize=1000'];

export interface TemporalServer extends ManagedProcess {
  address: string;
  uiUrl: string | undefined;
}

export async function startTemporalServer(options: TemporalServerOptions, log: (msg: string) => void): Promise<TemporalServer> {
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'temporal.pid');
  await stopOrphan(pidFile, options.cliPath, log);
  await assertPortFree(options.port, 'HERALD_DEV_TEMPORAL_PORT');
  if (!options.ephemeral) await assertPortFree(options.uiPort, 'HERALD_DEV_TEMPORAL_UI_PORT');

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.ephemeral) {
    args.push('--headless');
  } else {
    // WAL with synchronous=NORMAL: ≈1.6× the workflows/s of the default pragmas, still crash-safe.
    args.push('--db-filename', join(dir, 'temporal.db'), '--ui-port', String(options.uiPort));
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=1');
  }
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const name of SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);
  for (const setting of VISIBILITY_SETTINGS) args.push('--dynamic-config-value', setting);

  log(`temporal: starting dev server on 127.0.0.1:${options.port}`);
  const process = await spawnServer({
    name: 'Temporal dev server',
    command: options.cliPath,
    args,
    logFile: join(dir, 'logs', 'temporal.log'),
    pidFile,
    port: options.port,
    endWithParent: true,
  });
  return {
    ...process,
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.ephemeral ? undefined : `http://127.0.0.1:${options.uiPort}`,
  };
}
