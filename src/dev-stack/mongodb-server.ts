// The embedded MongoDB-protocol server: a real `mongod` when one is installed, otherwise FerretDB
// (SQLite backend) built from its Go module. Herald needs nothing FerretDB lacks (no transactions,
// TTL or partial indexes, change streams).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ID_RANGE_EDITS, ID_RANGE_FILES } from './ferretdb-id-range-patch.js';
import { runWithProgress } from './go-build.js';
import { assertPortFree, goAtLeast, goToolchain, type ManagedProcess, onPath, spawnServer, stopOrphan } from './processes.js';

export const FERRETDB_VERSION = 'v1.24.2';
/** Herald's build of it (see buildFerretDb), named apart from a stock build of the same version. */
export const FERRETDB_BUILD = `ferretdb-${FERRETDB_VERSION}-herald.2`;

export type MongoBinary = { kind: 'mongod' | 'ferretdb'; path: string };

export interface FindMongoOptions {
  ferretdbPath: string | undefined;
  mongodPath: string | undefined;
  dataDir: string;
  log: (msg: string) => void;
}

/** Explicit path → `mongod` then `ferretdb` on PATH → cached build → Go build → a clear error. */
export async function findMongoServer({ ferretdbPath, mongodPath, dataDir, log }: FindMongoOptions): Promise<MongoBinary> {
  for (const [kind, path, variable] of [
    ['mongod', mongodPath, 'MONGOD_PATH'],
    ['ferretdb', ferretdbPath, 'FERRETDB_PATH'],
  ] as const) {
    if (!path) continue;
    if (!existsSync(path)) throw new Error(`${variable} points to ${path}, which does not exist`);
    log(`mongodb: using ${variable}=${path}`);
    return { kind, path };
  }
  for (const kind of ['mongod', 'ferretdb'] as const) {
    const found = onPath(kind);
    if (found) {
      log(`mongodb: using ${found} from PATH`);
      return { kind, path: found };
    }
  }
  const go = goToolchain();
  const binaryName = FERRETDB_BUILD;
  const cached = [join(dataDir, 'bin', binaryName), ...(go ? [join(go.gopath, 'bin', binaryName)] : [])].find((p) => existsSync(p));
  if (cached) {
    log(`mongodb: using cached FerretDB build ${cached}`);
    return { kind: 'ferretdb', path: cached };
  }
  if (!go || !goAtLeast(go, 1, 25)) {
    throw new Error(
      'No MongoDB-protocol server found. Install mongod (or FerretDB), set MONGOD_PATH or FERRETDB_PATH, ' +
        'point MONGODB_URI at a running server, or install Go ≥ 1.25 so that Herald can build FerretDB.',
    );
  }
  const target = join(go.gopath, 'bin', binaryName);
  await buildFerretDb(target, log);
  return { kind: 'ferretdb', path: target };
}

/**
 * `go install …/ferretdb@v1.24.2` builds a binary that panics at start: its version file is generated
 * in FerretDB's repository and empty in the published module. So build from a writable copy of the
 * module with the version written in — and one fix: its SQLite backend indexes `_id` as
 * `_ferretdb_sjson->"_id"` but looks it up as `_ferretdb_sjson->'$._id'`, an expression SQLite does
 * not match to that index, so every lookup by `_id` scanned the whole collection (measured: 0.75 ms
 * per find at 200 documents, 12.5 ms at 8,000 — Herald's deliveries grow without bound). And a
 * second (ferretdb-id-range-patch.ts): `_id` ranges sorted by `_id` with a limit, run by index.
 */
async function buildFerretDb(target: string, log: (msg: string) => void): Promise<void> {
  log(`mongodb: no server found; building FerretDB ${FERRETDB_VERSION} from its Go module (≈2 minutes, once)`);
  const download = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`], { encoding: 'utf8' }),
  ) as { Dir?: string; Error?: string };
  if (!download.Dir) throw new Error(`go mod download failed: ${download.Error ?? 'no Dir'}`);
  const work = mkdtempSync(join(tmpdir(), 'herald-ferretdb-'));
  try {
    cpSync(download.Dir, work, { recursive: true, mode: 0 });
    execFileSync('chmod', ['-R', 'u+w', work]);
    writeFileSync(join(work, 'build', 'version', 'version.txt'), FERRETDB_VERSION);
    const metadata = join(work, 'internal', 'backends', 'sqlite', 'metadata', 'metadata.go');
    const source = readFileSync(metadata, 'utf8');
    const lookup = `IDColumn = DefaultColumn + "->'$._id'"`;
    if (!source.includes(lookup)) throw new Error(`FerretDB ${FERRETDB_VERSION}: ${metadata} no longer has ${lookup}`);
    writeFileSync(metadata, source.replace(lookup, 'IDColumn = DefaultColumn + `->"_id"`'));
    for (const [path, text] of Object.entries(ID_RANGE_FILES)) writeFileSync(join(work, path), text);
    for (const [path, stock, replacement] of ID_RANGE_EDITS) {
      const file = join(work, path);
      const text = readFileSync(file, 'utf8');
      if (!text.includes(stock)) throw new Error(`FerretDB ${FERRETDB_VERSION}: ${path} no longer has the code Herald patches`);
      writeFileSync(file, text.split(stock).join(replacement));
    }
    mkdirSync(join(target, '..'), { recursive: true });
    await runWithProgress('ferretdb build', 'go', ['build', '-o', target, './cmd/ferretdb'], { cwd: work }, log);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface MongoServer extends ManagedProcess {
  uri: string;
}

export async function startMongoServer(
  binary: MongoBinary,
  options: { dataDir: string; port: number },
  log: (msg: string) => void,
): Promise<MongoServer> {
  const dir = resolve(options.dataDir);
  const pidFile = join(dir, 'mongodb.pid');
  await stopOrphan(pidFile, binary.path, log);
  await assertPortFree(options.port, 'HERALD_DEV_MONGODB_PORT');

  let args: string[];
  if (binary.kind === 'mongod') {
    const dbPath = join(dir, 'mongod');
    mkdirSync(dbPath, { recursive: true });
    args = ['--dbpath', dbPath, '--bind_ip', '127.0.0.1', '--port', String(options.port), '--quiet'];
  } else {
    const dbPath = join(dir, 'ferretdb');
    mkdirSync(dbPath, { recursive: true });
    args = [
      '--handler=sqlite',
      // Every FerretDB write is a read-then-write transaction on one SQLite write lock. With SQLite's
      // default (deferred) transactions two connections upgrading at once fail with SQLITE_BUSY without
      // waiting, and under load a writer can wait past FerretDB's 10 s busy timeout: either way a 500
      // for whatever API call or delivery hit it. IMMEDIATE takes the lock up front and waits its turn,
      // for up to a minute. WAL (FerretDB's default) with synchronous=NORMAL, as the Temporal dev server
      // runs here: no fsync per commit (≈ 40 % less FerretDB CPU per write, twice the writes/s), still
      // safe when a process crashes; a power cut can lose the last commits.
      `--sqlite-url=file:${dbPath}/?_txlock=immediate&_pragma=busy_timeout(60000)&_pragma=synchronous(normal)`,
      `--listen-addr=127.0.0.1:${options.port}`,
      `--state-dir=${dbPath}`,
      // Its default debug address (127.0.0.1:8088) collides between instances.
      '--debug-addr=127.0.0.1:0',
      '--telemetry=disable',
      '--log-level=warn',
    ];
  }
  log(`mongodb: starting ${binary.kind} on 127.0.0.1:${options.port}`);
  const process = await spawnServer({
    name: binary.kind,
    command: binary.path,
    args,
    logFile: join(dir, 'logs', `${binary.kind}.log`),
    pidFile,
    port: options.port,
    endWithParent: true,
  });
  return { ...process, uri: `mongodb://127.0.0.1:${options.port}/` };
}
