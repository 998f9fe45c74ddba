// Starts one Temporal dev server (in memory) and one MongoDB-protocol server for the whole test run,
// with the same discovery (and, on a fresh machine, build) as `npm start`, and bundles the workflow
// code once. Everything binds 127.0.0.1 on free ports and is stopped by PID at the end.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { findMongoServer, startMongoServer } from '../../src/dev-stack/mongodb-server.js';
import { freePort } from '../../src/dev-stack/processes.js';
import { findTemporalCli, startTemporalServer } from '../../src/dev-stack/temporal-server.js';
import { WORKFLOW_BUNDLE } from '../../src/temporal/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    mongodbUri: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const log = (msg: string) => process.stdout.write(`[test stack] ${msg}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const dataDir = process.env.HERALD_DATA_DIR ?? '.herald';
  const [cliPath, mongoBinary] = await Promise.all([
    findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, dataDir, log }),
    findMongoServer({ ferretdbPath: process.env.FERRETDB_PATH, mongodPath: process.env.MONGOD_PATH, dataDir, log }),
  ]);
  const [temporal, mongo] = await Promise.all([
    freePort().then((port) =>
      startTemporalServer({ cliPath, dataDir: join(dir, 'temporal'), port, uiPort: 0, namespace: 'default', ephemeral: true }, log),
    ),
    freePort().then((port) => startMongoServer(mongoBinary, { dataDir: join(dir, 'mongodb'), port }, log)),
  ]);

  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  mkdirSync(dir, { recursive: true });
  writeFileSync(workflowBundlePath, code);

  project.provide('temporalAddress', temporal.address);
  project.provide('mongodbUri', mongo.uri);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await Promise.allSettled([temporal.stop(), mongo.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
