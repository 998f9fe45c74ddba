// Finds (or, on a fresh machine with Go, builds and caches) the Temporal CLI and a MongoDB-protocol
// server, exactly as `npm start` and the test setup would, and the Java test server the workflow tests
// run on (fetched with Maven, cached in ~/.m2). CI runs it first so that a first-time build shows its
// progress on its own instead of inside the test run. Also the Temporal server and its sql tool the
// cluster tests run (`npm run test:cluster`), built from go.temporal.io/server once and cached, and
// PostgreSQL 15 for them.
import { findMongoServer } from '../src/dev-stack/mongodb-server.js';
import { findPostgres } from '../src/dev-stack/postgres.js';
import { findTemporalClusterBinaries } from '../src/dev-stack/temporal-cluster.js';
import { findTemporalCli } from '../src/dev-stack/temporal-server.js';
import { findTemporalTestServer } from '../src/dev-stack/test-server.js';

const log = (msg: string) => process.stdout.write(`[prepare-stack] ${msg}\n`);
const dataDir = process.env.HERALD_DATA_DIR ?? '.herald';
const [temporal, mongo, testServer] = await Promise.all([
  findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, dataDir, log }),
  findMongoServer({ ferretdbPath: process.env.FERRETDB_PATH, mongodPath: process.env.MONGOD_PATH, dataDir, log }),
  findTemporalTestServer({ dataDir, log }),
]);
// After the others, not beside them: its build alone peaks at 1.6 GB of memory.
const cluster = await findTemporalClusterBinaries(log);
log(`temporal: ${temporal}`);
log(`${mongo.kind}: ${mongo.path}`);
log(`temporal test server: ${testServer}`);
log(`temporal cluster: ${cluster.server}, ${cluster.sqlTool}, schemas in ${cluster.schemaDir}`);
log(`postgresql: ${findPostgres()}`);
