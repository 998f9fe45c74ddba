// The only module that reads the environment. Everything else receives a `Config`.
// Every variable is documented in `.env.example`; keep the two in step.

import type { BlockList } from 'node:net';
import { z } from 'zod';
import { parseDuration, parseDurationList } from '../domain/duration.js';
import { parseRate, type Rate } from '../domain/token-bucket.js';
import { parseNetworks } from '../domain/url-policy.js';

const port = z.coerce.number().int().min(0).max(65_535);

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A speed-up's switch (docs/speed-ups.md): `on` (the default) or `off`. */
const onOff = z.enum(['on', 'off']);

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 15s, 5m or 2h, got "${text}"` });
    return z.NEVER;
  }
  return ms;
});

const durationList = z.string().transform((text, ctx) => {
  const list = parseDurationList(text);
  if (!list || list.length === 0) {
    ctx.addIssue({ code: 'custom', message: `expected comma-separated durations like 5s,5m,30m, got "${text}"` });
    return z.NEVER;
  }
  return list;
});

const rate = z.string().transform((text, ctx) => {
  const parsed = parseRate(text);
  if (!parsed) {
    ctx.addIssue({
      code: 'custom',
      message: `expected calls per duration like 600/1m (a burst of 600, refilled over a minute), got "${text}"`,
    });
    return z.NEVER;
  }
  return parsed;
});

/** Empty strings count as unset, so `FOO=` in a .env file means "use the default". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const EnvSchema = z.object({
  // --- API ---
  // What this process runs: `all` (API + worker, embedded servers when unset), `api` or `worker` (docs/roles.md).
  HERALD_ROLE: optional(z.enum(['all', 'api', 'worker'])).default('all'),
  HERALD_API_PORT: optional(port).default(3000),
  HERALD_API_HOST: optional(z.string()).default('127.0.0.1'),
  HERALD_ADMIN_API_KEY: optional(z.string().min(16, 'must be at least 16 characters')),
  HERALD_DATA_DIR: optional(z.string()).default('.herald'),
  HERALD_LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error', 'silent'])).default('info'),
  // json (one JSON object a line) or pretty (for a terminal); unset: pretty when stdout is a terminal.
  HERALD_LOG_FORMAT: optional(z.enum(['json', 'pretty'])),
  HERALD_PUBLIC_URL: optional(z.url()),
  HERALD_MAX_WEBHOOKS_PER_ACCOUNT: optional(z.coerce.number().int().positive()).default(100),
  HERALD_MAX_EVENT_BYTES: optional(z.coerce.number().int().positive()).default(256 * 1024),
  // Abuse limits (README's security section): calls per tRPC batch, and token buckets per process.
  HERALD_MAX_BATCH: optional(z.coerce.number().int().positive().max(1_000)).default(20),
  HERALD_RATE_LIMITS: optional(bool).default(true),
  HERALD_RATE_LIMIT_PER_KEY: optional(rate).default({ burst: 1_000, perMs: 2_000 }),
  HERALD_RATE_LIMIT_PRODUCER_PER_ACCOUNT: optional(rate).default({ burst: 1_000, perMs: 2_000 }),
  HERALD_RATE_LIMIT_TEST_PER_WEBHOOK: optional(rate).default({ burst: 10, perMs: 60_000 }),
  HERALD_RATE_LIMIT_TEST_PER_ACCOUNT: optional(rate).default({ burst: 30, perMs: 60_000 }),
  // The sites that may frame the consumer portal (CSP frame-ancestors); unset: none may.
  HERALD_PORTAL_FRAME_ANCESTORS: optional(
    z.string().transform((text, ctx) => {
      const list = text.split(/[\s,]+/).filter(Boolean);
      const bad = list.find((source) => source !== "'self'" && !/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(source));
      if (bad !== undefined || list.length === 0) {
        ctx.addIssue({ code: 'custom', message: `expected origins like https://app.example.com (comma-separated), got "${bad ?? text}"` });
        return z.NEVER;
      }
      return list;
    }),
  ).default([]),

  // --- Temporal ---
  TEMPORAL_ADDRESS: optional(z.string()),
  TEMPORAL_NAMESPACE: optional(z.string().min(1)).default('default'),
  TEMPORAL_TASK_QUEUE: optional(z.string().min(1)).default('herald'),
  HERALD_TEMPORAL_UI_URL: optional(z.url()),

  // --- MongoDB ---
  MONGODB_URI: optional(z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')),
  MONGODB_DATABASE: optional(z.string().min(1)).default('herald'),

  // --- Embedded development stack ---
  HERALD_DEV_TEMPORAL_PORT: optional(port).default(7233),
  HERALD_DEV_TEMPORAL_UI_PORT: optional(port).default(8233),
  HERALD_DEV_MONGODB_PORT: optional(port).default(27017),
  TEMPORAL_CLI_PATH: optional(z.string()),
  FERRETDB_PATH: optional(z.string()),
  MONGOD_PATH: optional(z.string()),

  // --- Delivery ---
  HERALD_ALLOW_PRIVATE_URLS: optional(bool).default(false),
  HERALD_ALLOWED_NETWORKS: optional(
    z.string().transform((text, ctx) => {
      const list = parseNetworks(text);
      if (!list) {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated CIDR networks like 10.1.0.0/16, got "${text}"` });
        return z.NEVER;
      }
      return list;
    }),
  ),
  HERALD_DELIVERY_TIMEOUT: optional(duration).default(15_000),
  // SIGTERM/SIGINT end the process within this (the worker drains for most of it); must exceed HERALD_DELIVERY_TIMEOUT.
  HERALD_SHUTDOWN_GRACE: optional(duration).default(25_000),
  // Attempts in flight at once per webhook and per account, per worker process; more wait (deferred), holding no slot.
  HERALD_MAX_IN_FLIGHT_PER_WEBHOOK: optional(z.coerce.number().int().positive()).default(32),
  HERALD_MAX_IN_FLIGHT_PER_ACCOUNT: optional(z.coerce.number().int().positive()).default(500),
  // Connections one webhook's own pool may open, per process.
  HERALD_CONNECTIONS_PER_WEBHOOK: optional(z.coerce.number().int().positive()).default(32),
  HERALD_RETRY_SCHEDULE: optional(durationList).default([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]),
  HERALD_RETRY_JITTER: optional(z.coerce.number().min(0).max(1)).default(0.2),
  HERALD_DIRECT_FANOUT_MAX: optional(z.coerce.number().int().min(0)).default(25),
  // Above HERALD_DIRECT_FANOUT_MAX matches, one fan-out workflow first-attempts, then starts, the deliveries, this many per activity.
  HERALD_FANOUT_PAGE_SIZE: optional(z.coerce.number().int().positive().max(1_000)).default(100),
  HERALD_UNHEALTHY_AFTER: optional(z.coerce.number().int().positive()).default(5),
  HERALD_RETENTION_DAYS: optional(z.coerce.number().int().positive()).default(30),

  // --- Maintenance (Temporal schedules) ---
  // How often the retention schedule deletes events and deliveries older than HERALD_RETENTION_DAYS.
  HERALD_RETENTION_INTERVAL: optional(duration).default(3_600_000),
  // How often the reconciler schedule looks for events stored but never dispatched (the API died in between)…
  HERALD_RECONCILE_INTERVAL: optional(duration).default(60_000),
  // …and how old such an event must be before the reconciler dispatches it (a publish in flight is not stranded).
  HERALD_RECONCILE_AFTER: optional(duration).default(60_000),
  HERALD_LISTEN_SESSION_GRACE: optional(duration).default(120_000),
  // The most failed deliveries one `deliveries.recover` replays.
  HERALD_RECOVER_MAX: optional(z.coerce.number().int().positive()).default(10_000),
  // A webhook's health workflow continues as new once a run's history has this many events (or
  // sooner, when the server suggests it). Small values only make sense in tests.
  HERALD_HEALTH_HISTORY_EVENTS: optional(z.coerce.number().int().min(10).max(50_000)).default(2_000),

  // --- Speed-ups (docs/speed-ups.md): each one on by default; HERALD_SPEEDUPS=off turns every one off ---
  HERALD_SPEEDUPS: optional(onOff).default('on'),
  HERALD_SPEEDUP_FIRST_ATTEMPTS: optional(onOff).default('on'),
  HERALD_SPEEDUP_FANOUT_PRE_ATTEMPTS: optional(onOff).default('on'),
  HERALD_SPEEDUP_SUCCESS_MEMO: optional(onOff).default('on'),
  HERALD_SPEEDUP_RECENT_EVENTS: optional(onOff).default('on'),
  HERALD_SPEEDUP_AUTH_CACHE: optional(onOff).default('on'),
  HERALD_SPEEDUP_WEBHOOK_MATCHER: optional(onOff).default('on'),
  HERALD_SPEEDUP_GROUP_COMMIT: optional(onOff).default('on'),
  HERALD_SPEEDUP_EAGER_START: optional(onOff).default('on'),
  HERALD_SPEEDUP_VM_PATCH: optional(onOff).default('on'),
  // --- Observability (docs/observability.md) ---
  // off: no /metrics and no metric is kept.
  HERALD_METRICS: optional(z.enum(['on', 'off', 'true', 'false'])).default('on'),
  // /metrics on a port of its own instead of the API's, bound to HERALD_METRICS_HOST.
  HERALD_METRICS_PORT: optional(port),
  HERALD_METRICS_HOST: optional(z.string()).default('127.0.0.1'),
  // The Temporal SDK's own worker metrics (Prometheus), on this port of HERALD_METRICS_HOST; unset: not exported.
  HERALD_TEMPORAL_METRICS_PORT: optional(port),
  // OpenTelemetry traces, off unless an endpoint is set (standard OTLP variables).
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(z.url()),
  OTEL_EXPORTER_OTLP_PROTOCOL: optional(z.enum(['http/protobuf', 'http/json'])).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_HEADERS: optional(z.string()),
  OTEL_SERVICE_NAME: optional(z.string().min(1)).default('herald'),
  OTEL_TRACES_SAMPLER: optional(
    z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']),
  ).default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: optional(z.coerce.number().min(0).max(1)),
});

export type Env = z.output<typeof EnvSchema>;

/** Every variable Herald reads (documented one by one in .env.example). */
export const ENV_VARIABLES = Object.keys(EnvSchema.shape);

/** HERALD_ROLE: `api` serves the API and starts workflows, `worker` runs them, `all` does both. */
export type HeraldRole = Env['HERALD_ROLE'];

export interface Config {
  role: HeraldRole;
  api: { port: number; host: string; adminApiKey: string | undefined; publicUrl: string | undefined };
  /** HERALD_PORTAL_FRAME_ANCESTORS: the origins that may frame /portal (none when empty). */
  portal: { frameAncestors: string[] };
  /** HERALD_LISTEN_SESSION_GRACE: a `herald listen` session gone this long is deleted with its webhook. */
  listen: { sessionGraceMs: number };
  dataDir: string;
  logLevel: Env['HERALD_LOG_LEVEL'];
  /** HERALD_SHUTDOWN_GRACE: a SIGTERM ends the process within this. */
  shutdownGraceMs: number;
  limits: { maxWebhooksPerAccount: number; maxEventBytes: number; maxBatch: number };
  /** Token buckets, per process; `enabled: false` turns every one off. */
  rateLimits: { enabled: boolean; perKey: Rate; producerPerAccount: Rate; testPerWebhook: Rate; testPerAccount: Rate };
  temporal: { address: string | undefined; namespace: string; taskQueue: string; uiUrl: string | undefined };
  mongodb: { uri: string | undefined; database: string };
  devStack: {
    temporalPort: number;
    temporalUiPort: number;
    mongodbPort: number;
    temporalCliPath: string | undefined;
    ferretdbPath: string | undefined;
    mongodPath: string | undefined;
  };
  delivery: {
    allowPrivateUrls: boolean;
    allowedNetworks: BlockList | undefined;
    timeoutMs: number;
    maxInFlightPerWebhook: number;
    maxInFlightPerAccount: number;
    connectionsPerWebhook: number;
    retryScheduleMs: number[];
    retryJitter: number;
    directFanoutMax: number;
    fanOutPageSize: number;
    unhealthyAfter: number;
    retentionDays: number;
    recoverMax: number;
    healthHistoryEvents: number;
  };
  maintenance: { retentionIntervalMs: number; reconcileIntervalMs: number; reconcileAfterMs: number };
  /** Each speed-up's switch (docs/speed-ups.md); all false: the plain path. */
  speedups: Speedups;
  /** HERALD_LOG_FORMAT; undefined: pretty when stdout is a terminal. */
  logFormat: 'json' | 'pretty' | undefined;
  observability: {
    metrics: { enabled: boolean; port: number | undefined; host: string; temporalPort: number | undefined };
    /** null: tracing off (OTEL_EXPORTER_OTLP_ENDPOINT unset). */
    tracing: TracingConfig | null;
  };
}

export interface TracingConfig {
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  serviceName: string;
  sampler: Env['OTEL_TRACES_SAMPLER'];
  samplerArg: number | undefined;
}

/** OTEL_EXPORTER_OTLP_HEADERS: `key1=value1,key2=value2` (values URL-encoded). */
function otlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

/** The speed-ups, by name (docs/speed-ups.md). Every one off is the plain path of docs/architecture.md. */
export interface Speedups {
  /** HERALD_SPEEDUP_FIRST_ATTEMPTS: the publish begins each first attempt beside its workflow's start (activities/first-attempts.ts). */
  firstAttempts: boolean;
  /** HERALD_SPEEDUP_FANOUT_PRE_ATTEMPTS: a large fan-out POSTs the first attempts before starting the workflows (activities/fan-out.ts). */
  fanOutPreAttempts: boolean;
  /** HERALD_SPEEDUP_SUCCESS_MEMO: a webhook's successes write its statistics at most once a second (activities/delivery-health.ts). */
  successMemo: boolean;
  /** HERALD_SPEEDUP_RECENT_EVENTS: the attempt takes the event this process just stored from memory (src/store/recent-events.ts). */
  recentEvents: boolean;
  /** HERALD_SPEEDUP_AUTH_CACHE: known API keys and accounts are checked by their account's version (src/store/accounts-repo.ts). */
  authCache: boolean;
  /** HERALD_SPEEDUP_WEBHOOK_MATCHER: a per-process copy of each account's subscriptions (src/store/webhook-matcher.ts). */
  webhookMatcher: boolean;
  /** HERALD_SPEEDUP_GROUP_COMMIT: concurrent inserts and updates share commands (src/store/group-commit.ts). */
  groupCommit: boolean;
  /** HERALD_SPEEDUP_EAGER_START: workflow starts ask for their first task back on this process's worker. */
  eagerStart: boolean;
  /** HERALD_SPEEDUP_VM_PATCH: the worker's sandbox without per-activation watchdog and promise stack traces (scripts/patch-temporal-vm.mjs). */
  vmPatch: boolean;
}

/** Every speed-up on: what a Config without a say gets (tests that build parts of Herald themselves). */
export const ALL_SPEEDUPS: Speedups = {
  firstAttempts: true,
  fanOutPreAttempts: true,
  successMemo: true,
  recentEvents: true,
  authCache: true,
  webhookMatcher: true,
  groupCommit: true,
  eagerStart: true,
  vmPatch: true,
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once; throws a `ConfigError` listing every invalid variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  // In-flight attempts must be able to end on their own before the worker gives up on them.
  if (env.HERALD_SHUTDOWN_GRACE <= env.HERALD_DELIVERY_TIMEOUT) {
    throw new ConfigError([
      `HERALD_SHUTDOWN_GRACE: must be longer than HERALD_DELIVERY_TIMEOUT (${env.HERALD_DELIVERY_TIMEOUT} ms), got ${env.HERALD_SHUTDOWN_GRACE} ms`,
    ]);
  }
  // Only `all` starts embedded servers: an `api` or `worker` process is one of several sharing them.
  if (env.HERALD_ROLE !== 'all') {
    const missing = (['TEMPORAL_ADDRESS', 'MONGODB_URI'] as const).filter((name) => env[name] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        missing.map((name) => `${name}: required when HERALD_ROLE=${env.HERALD_ROLE} (only HERALD_ROLE=all starts embedded servers)`),
      );
    }
  }
  return {
    role: env.HERALD_ROLE,
    api: {
      port: env.HERALD_API_PORT,
      host: env.HERALD_API_HOST,
      adminApiKey: env.HERALD_ADMIN_API_KEY,
      publicUrl: env.HERALD_PUBLIC_URL,
    },
    portal: { frameAncestors: env.HERALD_PORTAL_FRAME_ANCESTORS },
    listen: { sessionGraceMs: env.HERALD_LISTEN_SESSION_GRACE },
    dataDir: env.HERALD_DATA_DIR,
    logLevel: env.HERALD_LOG_LEVEL,
    shutdownGraceMs: env.HERALD_SHUTDOWN_GRACE,
    limits: {
      maxWebhooksPerAccount: env.HERALD_MAX_WEBHOOKS_PER_ACCOUNT,
      maxEventBytes: env.HERALD_MAX_EVENT_BYTES,
      maxBatch: env.HERALD_MAX_BATCH,
    },
    rateLimits: {
      enabled: env.HERALD_RATE_LIMITS,
      perKey: env.HERALD_RATE_LIMIT_PER_KEY,
      producerPerAccount: env.HERALD_RATE_LIMIT_PRODUCER_PER_ACCOUNT,
      testPerWebhook: env.HERALD_RATE_LIMIT_TEST_PER_WEBHOOK,
      testPerAccount: env.HERALD_RATE_LIMIT_TEST_PER_ACCOUNT,
    },
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      uiUrl: env.HERALD_TEMPORAL_UI_URL,
    },
    mongodb: { uri: env.MONGODB_URI, database: env.MONGODB_DATABASE },
    devStack: {
      temporalPort: env.HERALD_DEV_TEMPORAL_PORT,
      temporalUiPort: env.HERALD_DEV_TEMPORAL_UI_PORT,
      mongodbPort: env.HERALD_DEV_MONGODB_PORT,
      temporalCliPath: env.TEMPORAL_CLI_PATH,
      ferretdbPath: env.FERRETDB_PATH,
      mongodPath: env.MONGOD_PATH,
    },
    delivery: {
      allowPrivateUrls: env.HERALD_ALLOW_PRIVATE_URLS,
      allowedNetworks: env.HERALD_ALLOWED_NETWORKS,
      timeoutMs: env.HERALD_DELIVERY_TIMEOUT,
      maxInFlightPerWebhook: env.HERALD_MAX_IN_FLIGHT_PER_WEBHOOK,
      maxInFlightPerAccount: env.HERALD_MAX_IN_FLIGHT_PER_ACCOUNT,
      connectionsPerWebhook: env.HERALD_CONNECTIONS_PER_WEBHOOK,
      retryScheduleMs: env.HERALD_RETRY_SCHEDULE,
      retryJitter: env.HERALD_RETRY_JITTER,
      directFanoutMax: env.HERALD_DIRECT_FANOUT_MAX,
      fanOutPageSize: env.HERALD_FANOUT_PAGE_SIZE,
      unhealthyAfter: env.HERALD_UNHEALTHY_AFTER,
      retentionDays: env.HERALD_RETENTION_DAYS,
      recoverMax: env.HERALD_RECOVER_MAX,
      healthHistoryEvents: env.HERALD_HEALTH_HISTORY_EVENTS,
    },
    maintenance: {
      retentionIntervalMs: env.HERALD_RETENTION_INTERVAL,
      reconcileIntervalMs: env.HERALD_RECONCILE_INTERVAL,
      reconcileAfterMs: env.HERALD_RECONCILE_AFTER,
    },
    logFormat: env.HERALD_LOG_FORMAT,
    observability: {
      metrics: {
        enabled: env.HERALD_METRICS === 'on' || env.HERALD_METRICS === 'true',
        port: env.HERALD_METRICS_PORT,
        host: env.HERALD_METRICS_HOST,
        temporalPort: env.HERALD_TEMPORAL_METRICS_PORT,
      },
      tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT
        ? {
            endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
            protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL,
            headers: otlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
            serviceName: env.OTEL_SERVICE_NAME,
            sampler: env.OTEL_TRACES_SAMPLER,
            samplerArg: env.OTEL_TRACES_SAMPLER_ARG,
          }
        : null,
    },
    speedups: speedupsOf(env),
  };
}

/** HERALD_SPEEDUPS=off wins; `on` leaves each speed-up to its own switch. */
function speedupsOf(env: Env): Speedups {
  const on = (value: 'on' | 'off') => env.HERALD_SPEEDUPS === 'on' && value === 'on';
  return {
    firstAttempts: on(env.HERALD_SPEEDUP_FIRST_ATTEMPTS),
    fanOutPreAttempts: on(env.HERALD_SPEEDUP_FANOUT_PRE_ATTEMPTS),
    successMemo: on(env.HERALD_SPEEDUP_SUCCESS_MEMO),
    recentEvents: on(env.HERALD_SPEEDUP_RECENT_EVENTS),
    authCache: on(env.HERALD_SPEEDUP_AUTH_CACHE),
    webhookMatcher: on(env.HERALD_SPEEDUP_WEBHOOK_MATCHER),
    groupCommit: on(env.HERALD_SPEEDUP_GROUP_COMMIT),
    eagerStart: on(env.HERALD_SPEEDUP_EAGER_START),
    vmPatch: on(env.HERALD_SPEEDUP_VM_PATCH),
  };
}
