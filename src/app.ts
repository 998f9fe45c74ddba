// Herald assembled: MongoDB store, Temporal client and worker on one shared connection (so workflow
// starts can be eager), and the HTTP API. `npm start` and the integration tests both build it here.
// HERALD_ROLE picks what runs (docs/roles.md): `all` both, `api` the HTTP API only, `worker` the worker
// only (its HTTP server answers /healthz and /readyz and nothing else).
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { type AttemptDeps, createAttemptDelivery } from '../activities/attempt-delivery.js';
import { createSuccessMemo } from '../activities/delivery-health.js';
import { createFirstAttempts } from '../activities/first-attempts.js';
import { createHttpSender } from '../activities/http-post.js';
import { createInFlightLimit } from '../activities/in-flight-limit.js';
import { createListenRelay } from '../activities/listen-relay.js';
import type { AppDeps } from './api/context.js';
import { startListenSweep } from './api/listen-sweep.js';
import { createRateLimits } from './api/rate-limit.js';
import { createHttpServer } from './api/server.js';
import type { Config, HeraldRole } from './config/env.js';
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
  /** What this process runs; `config.role` (HERALD_ROLE) unless given. */
  role?: HeraldRole;
}

export interface Herald {
  url: string;
  /** Where Prometheus scrapes this process (`<url>/metrics`, or HERALD_METRICS_PORT's server); null with HERALD_METRICS=off. */
  metricsUrl: string | null;
  /** Sends the spans buffered so far (tracing on). */
  flushTraces(): Promise<void>;
  deps: AppDeps;
  /** What every attempt of this process is made with (the worker's, and the first attempts its API begins). */
  attemptDeps: AttemptDeps;
  /** Undefined in an `api` process. */
  worker: Worker | undefined;
  stop(): Promise<void>;
}

export async function startHerald(options: HeraldOptions): Promise<Herald> {
  const { config, log } = options;
  const role = options.role ?? config.role;
  const runsWorker = role !== 'api';
  const servesApi = role !== 'worker';
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
  // Every role: several processes starting at once may each run it (it is idempotent).
  await backfillIndexEntries(mongo.collections);
  const { speedups } = config;
  const store = createStore(mongo, speedups);
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
    eagerStart: runsWorker && speedups.eagerStart,
  });
  const attemptDeps: AttemptDeps = {
    store,
    sender,
    retryPolicy: { scheduleMs: config.delivery.retryScheduleMs, jitter: config.delivery.retryJitter },
    health: {
      report: lifecycle.report,
      unhealthyAfter: config.delivery.unhealthyAfter,
      parkMaxMs: config.delivery.retentionDays * 86_400_000,
      // Off: a window of 0, every success writes the statistics.
      recentSuccesses: createSuccessMemo(speedups.successMemo ? undefined : 0),
    },
    inFlight: createInFlightLimit({ perWebhook: config.delivery.maxInFlightPerWebhook, perAccount: config.delivery.maxInFlightPerAccount }),
    metrics,
    listen: createListenRelay(store.listen),
  };
  // The API begins the first attempts of the events it stores (activities/first-attempts.ts); whichever
  // worker runs a delivery's workflow adopts the outcome, this process's own without a read.
  const firstAttempts = speedups.firstAttempts
    ? createFirstAttempts(createAttemptDelivery(attemptDeps), { deliveries: store.deliveries, localTakes: runsWorker })
    : undefined;
  // The API and the worker's activities start workflows the same way; eager where a worker shares the
  // connection (an `api` process has none: its starts go to the task queue, for any worker).
  const dispatch: DispatchDeps = {
    store,
    client,
    taskQueue: config.temporal.taskQueue,
    eagerStart: runsWorker && speedups.eagerStart,
    directFanoutMax: config.delivery.directFanoutMax,
    fanOutPageSize: config.delivery.fanOutPageSize,
    deliveryTimeoutMs: config.delivery.timeoutMs,
    firstAttempts,
    fanOutPreAttempts: speedups.fanOutPreAttempts,
    metrics,
  };
  const budget = shutdownBudget(config.shutdownGraceMs);
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  if (runsWorker) {
    worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: options.workflowBundle,
      slots: options.workerSlots,
      vmPatch: speedups.vmPatch,
      tracing,
      shutdown: { graceMs: budget.workerGraceMs, forceMs: budget.workerForceMs },
      deps: {
        ...attemptDeps,
        firstAttempts,
        client,
        dispatch,
        unhealthyAfter: config.delivery.unhealthyAfter,
      },
    });
    // Worker roles only: the schedules' workflows run there. Idempotent (schedules.ts): every worker does it.
    await ensureSchedules(client, config);
    workerRun = worker.run();
    workerRun.catch((error) => log.error({ err: error }, 'worker stopped with an error'));
  }

  const rateLimits = createRateLimits(config.rateLimits);
  // A process that runs the worker reports the parked deliveries (every such process the same count).
  if (runsWorker) metrics.reportParked(() => store.deliveries.countAllParked());
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
  const http = createHttpServer(
    deps,
    async () => ({
      mongodb: await store.ping().then(
        () => true,
        () => false,
      ),
      temporal: await connection.healthService.check({}).then(
        () => true,
        () => false,
      ),
      ...(worker ? { worker: worker.getState() === 'RUNNING' } : {}),
    }),
    { api: servesApi },
  );
  const url = await http.start(config.api.port, config.api.host);
  // API processes hold the `herald listen` connections, so they also end the sessions gone quiet.
  const listenSweep = servesApi ? startListenSweep({ store, lifecycle, log }, config.listen.sessionGraceMs) : undefined;
  // /metrics on its own port (HERALD_METRICS_PORT), else on the API's (server.ts mounts it there).
  const metricsServer =
    metrics.enabled && observability.metrics.port !== undefined
      ? await startMetricsServer(metrics, observability.metrics.port, observability.metrics.host)
      : undefined;

  return {
    url,
    metricsUrl: metrics.enabled ? (metricsServer?.url ?? `${url}${METRICS_PATH}`) : null,
    deps,
    attemptDeps,
    worker,
    flushTraces: () => tracing.flush(),
    async stop() {
      // Side by side, both bounded (see shutdown-budget.ts): the API answers what it has in flight, the
      // worker drains (in-flight attempts finish, or the worker is given up on at its force time).
      listenSweep?.stop();
      const httpStopped = http.stop(budget.httpMs);
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      // First attempts this API began are recorded (so no workflow waits for their claims), within the
      // worker's grace: each is bounded by the POST's timeout, as the worker's attempts are.
      const begunRecorded =
        firstAttempts && Promise.race([firstAttempts.settled(), delay(budget.workerGraceMs, undefined, { ref: false })]);
      await Promise.all([httpStopped, workerRun?.catch(() => undefined), metricsServer?.stop(), begunRecorded]);
      await tracing.flush().catch((error) => log.warn({ err: error }, 'could not send the last spans'));
      // Abandons whatever is still in flight: first attempts the API began, whose workflows make them again.
      await sender.close();
      await connection.close();
      await mongo.close();
    },
  };
}
