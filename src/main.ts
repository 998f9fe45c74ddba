// `npm start`: the embedded stack (unless TEMPORAL_ADDRESS / MONGODB_URI point elsewhere), the API and
// a worker, in one process. SIGINT/SIGTERM stop everything in reverse order. HERALD_ROLE=api or worker
// runs one of the two, on servers configured elsewhere (loadConfig requires them; docs/roles.md).
import { join, resolve } from 'node:path';
import { resolveAdminKey } from './admin-key.js';
import { startHerald } from './app.js';
import { ConfigError, loadConfig } from './config/env.js';
import { startDevStack } from './dev-stack/index.js';
import { createLogger } from './logger.js';
import { shutdownBudget } from './shutdown-budget.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, config.logFormat);
  const say = (msg: string) => process.stdout.write(`herald: ${msg}\n`);
  const dataDir = resolve(config.dataDir);

  const started = Date.now();
  const stack = await startDevStack(config, say);
  // A worker serves no API: it needs no admin key (and leaves none in its data dir).
  const admin = config.role === 'worker' ? undefined : resolveAdminKey(config.api.adminApiKey, dataDir);
  let herald: Awaited<ReturnType<typeof startHerald>>;
  try {
    herald = await startHerald({
      // The embedded UI's address, unless HERALD_TEMPORAL_UI_URL says otherwise: deliveries link to it.
      config: { ...config, temporal: { ...config.temporal, uiUrl: stack.temporalUiUrl } },
      temporalAddress: stack.temporalAddress,
      mongodbUri: stack.mongodbUri,
      adminApiKey: admin?.key ?? '',
      log,
    });
  } catch (error) {
    await stack.stop();
    throw error;
  }

  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (config.role !== 'all') say(`role         ${config.role} (HERALD_ROLE)`);
  if (config.role === 'worker') say(`health       ${herald.url}/healthz, ${herald.url}/readyz  (a worker serves no API)`);
  else {
    say(`API          ${herald.url}/trpc  (health: ${herald.url}/healthz, ${herald.url}/readyz)`);
    say(`REST         ${herald.url}/v1  (OpenAPI document: ${herald.url}/v1/openapi.json)`);
  }
  if (herald.metricsUrl) say(`Metrics      ${herald.metricsUrl}  (Prometheus)`);
  say(`Temporal UI  ${stack.temporalUiUrl ?? '(not embedded; TEMPORAL_ADDRESS is set)'}`);
  say(`Temporal     ${stack.temporalAddress}  namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`);
  say(`MongoDB      ${stack.mongodbUri.replace(/\/\/[^@/]*@/, '//***@')}`);
  say(`data dir     ${dataDir}`);
  if (admin)
    say(
      admin.source === 'env'
        ? 'admin key    from HERALD_ADMIN_API_KEY'
        : `admin key    ${admin.key}  (${admin.source === 'generated' ? 'generated, ' : ''}kept in ${join(dataDir, 'admin-api-key')})`,
    );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down (finishing in-flight deliveries)…`);
    // Within HERALD_SHUTDOWN_GRACE whatever receivers or clients do (see shutdown-budget.ts).
    const deadline = Date.now() + config.shutdownGraceMs;
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<'abandoned'>((resolve) => {
      timer = setTimeout(() => resolve('abandoned'), shutdownBudget(config.shutdownGraceMs).heraldMs);
    });
    // Settles either way, so that a stop failing after it was abandoned is logged, not an unhandled rejection.
    const stopped = herald.stop().then(
      () => 'stopped' as const,
      (error) => {
        log.error({ err: error }, 'stopping Herald failed');
        return 'failed' as const;
      },
    );
    const outcome = await Promise.race([stopped, abandoned]);
    clearTimeout(timer);
    if (outcome === 'abandoned') log.error('Herald did not stop within its share of HERALD_SHUTDOWN_GRACE; stopping the servers anyway');
    const code = outcome === 'stopped' ? 0 : 1;
    // The embedded servers are stopped whatever happened above: they must not outlive Herald. Each gets
    // half of what is left before SIGKILL.
    await stack.stop(Math.max(250, Math.floor((deadline - Date.now()) / 2)));
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`herald: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
