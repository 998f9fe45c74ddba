// Before the cluster tests: the Temporal server and its sql tool (built from the Go module once, then
// cached under GOPATH/bin), PostgreSQL and FerretDB are found here, so that a first build shows its
// progress on its own instead of inside a test's hook timeout.
import { findMongoServer } from '../../src/dev-stack/mongodb-server.js';
import { findPostgres } from '../../src/dev-stack/postgres.js';
import { findTemporalClusterBinaries } from '../../src/dev-stack/temporal-cluster.js';

export default async function setup(): Promise<void> {
  const log = (msg: string) => process.stdout.write(`[cluster setup] ${msg}\n`);
  findPostgres();
  await Promise.all([
    findTemporalClusterBinaries(log),
    findMongoServer({
      ferretdbPath: process.env.FERRETDB_PATH,
      mongodPath: process.env.MONGOD_PATH,
      dataDir: process.env.HERALD_DATA_DIR ?? '.herald',
      log,
    }),
  ]);
}
