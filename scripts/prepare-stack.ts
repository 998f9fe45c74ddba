// Finds (or, on a fresh machine with Go, builds and caches) the Temporal CLI and a MongoDB-protocol
// server, exactly as `npm start` and the test setup would, and the Java test server the workflow tests
// run on (fetched with Maven, cached in ~/.m2). CI runs it first so that a first-time build shows its
// progress on its own instead of inside the test run.
import { findMongoServer } from '../src/dev-stack/mongodb-server.js';
import { findTemporalCli } from '../src/dev-stack/temporal-server.js';
import { findTemporalTestServer } from '../src/dev-stack/test-server.js';

const log = (msg: string) => process.stdout.write(`[prepare-stack] ${msg}\n`);
const dataDir = process.env.HERALD_DATA_DIR ?? '.herald';
const [temporal, mongo, testServer] = await Promise.all([
  findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, dataDir, log }),
  findMongoServer({ ferretdbPath: process.env.FERRETDB_PATH, mongodPath: process.env.MONGOD_PATH, dataDir, log }),
  findTemporalTestServer({ dataDir, log }),
]);
log(`temporal: ${temporal}`);
log(`${mongo.kind}: ${mongo.path}`);
log(`temporal test server: ${testServer}`);
