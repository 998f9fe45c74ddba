// The embedded stack behind `npm start`: whatever the configuration does not point at (TEMPORAL_ADDRESS,
// MONGODB_URI) is found or built, started on 127.0.0.1 with its data under the data dir, and stopped
// in reverse order on exit.
import { join } from 'node:path';
import type { Config } from '../config/env.js';
import { findMongoServer, type MongoServer, startMongoServer } from './mongodb-server.js';
import { findTemporalCli, startTemporalServer, type TemporalServer } from './temporal-server.js';

export interface DevStack {
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  mongodbUri: string;
  /** `graceMs`: how long each server has after SIGTERM before SIGKILL (a shutdown within HERALD_SHUTDOWN_GRACE). */
  stop(graceMs?: number): Promise<void>;
}

export async function startDevStack(config: Config, log: (msg: string) => void): Promise<DevStack> {
  const started: Array<TemporalServer | MongoServer> = [];
  const stop = async (graceMs?: number) => {
    for (const server of started.reverse()) await server.stop(graceMs);
  };
  try {
    // Find (and if need be build) both first, so that a missing tool is reported before anything starts.
    const needTemporal = !config.temporal.address;
    const needMongo = !config.mongodb.uri;
    const [cliPath, mongoBinary] = await Promise.all([
      needTemporal ? findTemporalCli({ explicitPath: config.devStack.temporalCliPath, dataDir: config.dataDir, log }) : undefined,
      needMongo
        ? findMongoServer({
            ferretdbPath: config.devStack.ferretdbPath,
            mongodPath: config.devStack.mongodPath,
            dataDir: config.dataDir,
            log,
          })
        : undefined,
    ]);

    let temporalAddress = config.temporal.address ?? '';
    let temporalUiUrl = config.temporal.uiUrl;
    if (cliPath) {
      const temporal = await startTemporalServer(
        {
          cliPath,
          dataDir: join(config.dataDir, 'temporal'),
          port: config.devStack.temporalPort,
          uiPort: config.devStack.temporalUiPort,
          namespace: config.temporal.namespace,
        },
        log,
      );
      started.push(temporal);
      temporalAddress = temporal.address;
      temporalUiUrl ??= temporal.uiUrl;
    }

    let mongodbUri = config.mongodb.uri ?? '';
    if (mongoBinary) {
      const mongo = await startMongoServer(
        mongoBinary,
        { dataDir: join(config.dataDir, 'mongodb'), port: config.devStack.mongodbPort },
        log,
      );
      started.push(mongo);
      mongodbUri = mongo.uri;
    }
    return { temporalAddress, temporalUiUrl, mongodbUri, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
