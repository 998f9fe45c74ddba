// Herald assembled: MongoDB store, Temporal client and worker on one shared connection (so workflow
// starts can be eager), and the HTTP API. `npm start` and the integration tests both build it here.
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { type AttemptDeps, createAttemptDelivery } from '../activities/attempt-delivery.js';
import { createSuccessMemo } from '../activities/delivery-health.js';
import { createFirstAttempts } from '../activities/first-attempts.js';
import { createHttpSender } from '../activities/http-post.js';
import { createInFlightLimit } from '../activities/in-flight-limit.js';
import type { AppDeps } from './api/context.js';
import { createRateLimits } from './api/rate-limit.js';
import { createHttpServer } from './api/server.js';
import type { Config } from './config/env.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics/metrics.js';
import { METRICS_PATH, startMetricsServer } from './metrics/metrics-endpoint.js';
import { shutdownBudget } from './shutdown-budget.js';
import { createStore } from './store/index.js';
import { backfillIndexEntries } from './store/index-backfill.js';
import { connectMongo } from './store/mongo.js';
import type { DispatchDeps } from './temporal/dispatch.js';
import { ensureSearchAttributes } from './temporal/ensure-search-attributes.js';
import { installTemporalRuntime } from './temporal/runtime.js';
import { ensureSchedules } from './temporal/schedules.js';
import { createWebhookLifecycle } from './temporal/webhook-lifecycle.js';
import { createWorker, type WorkerSlots } from './temporal/worker.js';
import { setupTracing } from './tracing/tracing.js';

export interface HeraldOptions {
  config: Config;
  /** Resolved addresses (from the config or the embedded dev stack). */
  temporalAddress: string;
  mongodbUri: string;
  adminApiKey: string;
  log: Logger;
  workflowBundle?: WorkflowBundleOption;
  /** Tests only: fewer worker slots (see WORKER_TUNING). */
  workerSlots?: WorkerSlots;
}

export interface Herald {
  url: string;
  /** Where Prometheus scrapes this process (`<url>/metrics`, or HERALD_METRICS_PORT's server); null with HERALD_METRICS=off. */
  metricsUrl: string | null;
  /** Sends the spans buffered so far (tracing on). */
  flushTraces(): Promise<void>;
  deps: AppDeps;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startHerald(options: HeraldOptions): Promise<Herald> {
  const { config, log } = options;
  const observability = config.observability;
  installTemporalRuntime({
    level: config.logLevel,
    log,
    metrics:
      observability.metrics.temporalPort === undefined
        ? undefined
        : { port: observability.metrics.temporalPort, host: observability.metrics.host },
  });
  const metrics = createMetrics(observability.metrics.enabled);
  const tracing = setupTracing(observability.tracing);
  const mongo = await connectMongo(options.mongodbUri, config.mongodb.database);
  // Once per database: index entries for what was stored before Herald kept them (index-backfill.ts).
  await backfillIndexEntries(mongo.collections);
  const store = createStore(mongo);
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  await ensureSearchAttributes(connection, config.temporal.namespace);
  const client = new Client({ connection, namespace: config.temporal.namespace, interceptors: { workflow: tracing.clientInterceptors } });
  const sender = createHttpSender({
    timeoutMs: config.delivery.timeoutMs,
    connectionsPerWebhook: config.delivery.connectionsPerWebhook,
    policy: { allowPrivate: config.delivery.allowPrivateUrls, allowedNetworks: config.delivery.allowedNetworks },
  });
  const lifecycle = createWebhookLifecycle({
    store,
    client,
    taskQueue: config.temporal.taskQueue,
    historyMaxEvents: config.delivery.healthHistoryEvents,
    eagerStart: true,
  });
  const attemptDeps: AttemptDeps = {
    store,
    sender,
    retryPolicy: { scheduleMs: config.delivery.retryScheduleMs, jitter: config.delivery.retryJitter },
    health: {
      report: lifecycle.report,
      unhealthyAfter: config.delivery.unhealthyAfter,
      parkMaxMs: config.delivery.retentionDays * 86_400_000,
      recentSuccesses: createSuccessMemo(),
    },
    inFlight: createInFlightLimit({ perWebhook: config.delivery.maxInFlightPerWebhook, perAccount: config.delivery.maxInFlightPerAccount }),
    metrics,
  };
  // The API begins the first attempts of the events it stores; this process's worker takes them.
  const firstAttempts = createFirstAttempts(createAttemptDelivery(attemptDeps));
  // The API and the worker's activities start workflows the same way; eager, since both share the
  // worker's connection.
  const dispatch: DispatchDeps = {
    store,
    client,
    taskQueue: config.temporal.taskQueue,
    eagerStart: true,
    directFanoutMax: config.delivery.directFanoutMax,
    fanOutPageSize: config.delivery.fanOutPageSize,
    deliveryTimeoutMs: config.delivery.timeoutMs,
    firstAttempts,
    metrics,
  };
  const budget = shutdownBudget(config.shutdownGraceMs);
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: options.workflowBundle,
    slots: options.workerSlots,
    shutdown: { graceMs: budget.workerGraceMs, forceMs: budget.workerForceMs },
    tracing,
    deps: {
      ...attemptDeps,
      firstAttempts,
      client,
      dispatch,
      unhealthyAfter: config.delivery.unhealthyAfter,
    },
  });
  await ensureSchedules(client, config);
  const workerRun = worker.run();
  workerRun.catch((error) => log.error({ err: error }, 'worker stopped with an error'));

  const rateLimits = createRateLimits(config.rateLimits);
  // A process that runs the worker reports the parked deliveries (every such process the same count).
  metrics.reportParked(() => store.deliveries.countAllParked());
  const deps: AppDeps = {
    config,
    adminApiKey: options.adminApiKey,
    store,
    temporal: client,
    dispatch,
    lifecycle,
    sender,
    log,
    rateLimits,
    metrics,
  };
  const http = createHttpServer(deps, async () => ({
    mongodb: await store.ping().then(
      () => true,
      () => false,
    ),
    temporal: await connection.healthService.check({}).then(
      () => true,
      () => false,
    ),
  }));
  const url = await http.start(config.api.port, config.api.host);
  // /metrics on its own port (HERALD_METRICS_PORT), else on the API's (server.ts mounts it there).
  const metricsServer =
    metrics.enabled && observability.metrics.port !== undefined
      ? await startMetricsServer(metrics, observability.metrics.port, observability.metrics.host)
      : undefined;

  return {
    url,
    metricsUrl: metrics.enabled ? (metricsServer?.url ?? `${url}${METRICS_PATH}`) : null,
    deps,
    worker,
    flushTraces: () => tracing.flush(),
    async stop() {
      // Side by side, both bounded (see shutdown-budget.ts): the API answers what it has in flight, the
      // worker drains (in-flight attempts finish, or the worker is given up on at its force time).
      const httpStopped = http.stop(budget.httpMs);
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.all([httpStopped, workerRun.catch(() => undefined), metricsServer?.stop()]);
      await tracing.flush().catch((error) => log.warn({ err: error }, 'could not send the last spans'));
      // Abandons whatever is still in flight: first attempts the API began, whose workflows make them again.
      await sender.close();
      await connection.close();
      await mongo.close();
    },
  };
}
