// The one-off bench scripts' setup: the embedded stack `npm start` runs (file-backed Temporal with WAL,
// a MongoDB-protocol server) in a throw-away data dir on free ports, and a Herald on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Herald, startHerald } from '../../src/app.js';
import { createHeraldClient, type HeraldClient } from '../../src/client/index.js';
import { loadConfig } from '../../src/config/env.js';
import { type DevStack, startDevStack } from '../../src/dev-stack/index.js';
import { freePort } from '../../src/dev-stack/processes.js';
import { createLogger } from '../../src/logger.js';

export interface EmbeddedHerald {
  herald: Herald;
  stack: DevStack;
  /** A client holding the admin key. */
  admin: HeraldClient;
  /** A new account and a client authenticated as it. */
  newAccount(): Promise<HeraldClient>;
  stop(): Promise<void>;
}

export async function startEmbeddedHerald(options: {
  env?: Record<string, string>;
  /** Lets a script put something (a counting proxy) between Herald and the MongoDB-protocol server. */
  mongodbUri?: (uri: string) => Promise<string>;
  log?: (msg: string) => void;
}): Promise<EmbeddedHerald> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const config = loadConfig({
    HERALD_DATA_DIR: dataDir,
    HERALD_API_PORT: '0',
    HERALD_LOG_LEVEL: 'warn',
    HERALD_ALLOW_PRIVATE_URLS: 'true',
    HERALD_DEV_TEMPORAL_PORT: String(await freePort()),
    HERALD_DEV_TEMPORAL_UI_PORT: String(await freePort()),
    HERALD_DEV_MONGODB_PORT: String(await freePort()),
    // Maintenance stays out of the figures.
    HERALD_RECONCILE_INTERVAL: '1h',
    HERALD_RETENTION_INTERVAL: '1h',
    ...options.env,
  });
  const stack = await startDevStack(config, options.log ?? (() => undefined));
  const adminApiKey = 'hk_admin_bench_0123456789abcdef';
  const herald = await startHerald({
    config,
    temporalAddress: stack.temporalAddress,
    mongodbUri: options.mongodbUri ? await options.mongodbUri(stack.mongodbUri) : stack.mongodbUri,
    adminApiKey,
    log: createLogger('warn'),
  });
  const admin = createHeraldClient({ url: herald.url, apiKey: adminApiKey });
  return {
    herald,
    stack,
    admin,
    async newAccount() {
      const { api_key } = await admin.accounts.create.mutate({ name: 'bench' });
      return createHeraldClient({ url: herald.url, apiKey: api_key });
    },
    async stop() {
      await herald.stop();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
