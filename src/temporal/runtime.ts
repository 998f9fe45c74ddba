// The Temporal SDK's process-wide runtime, installed once before any connection or worker exists: its
// logger is Herald's pino logger (the SDK's own lines, the Core SDK's forwarded ones and the workflows'
// and activities' logs), and with HERALD_TEMPORAL_METRICS_PORT the Core SDK's Prometheus exporter serves
// the worker's own metrics (slots, polls, latencies).
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { createLogger, type Logger } from '../logger.js';

let installed = false;

const ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's log calls into pino, at or above `min` (the SDK is chatty at INFO: Herald's info is its WARN). */
export function pinoTemporalLogger(log: Logger, min: LogLevel): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (ORDER[level] < ORDER[min]) return;
    // Symbol keys (the SDK's timestamp) are not JSON; the rest is the workflow's or activity's context.
    const fields: Record<string, unknown> = {};
    if (meta) for (const key of Object.keys(meta)) fields[key] = meta[key];
    log[PINO_LEVEL[level]](fields, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

export interface TemporalRuntimeOptions {
  level: string;
  log: Logger;
  /** HERALD_TEMPORAL_METRICS_PORT and HERALD_METRICS_HOST: where the Core SDK's Prometheus exporter listens. */
  metrics?: { port: number; host: string };
}

/** A bare level (tests, the bench): a JSON logger of its own at that level. */
export function installTemporalRuntime(levelOrOptions: string | TemporalRuntimeOptions): void {
  if (installed) return;
  installed = true;
  const options =
    typeof levelOrOptions === 'string' ? { level: levelOrOptions, log: createLogger(levelOrOptions, 'json') } : levelOrOptions;
  const sdkLevel: LogLevel = options.level === 'debug' ? 'DEBUG' : options.level === 'info' ? 'WARN' : 'ERROR';
  const { metrics } = options;
  Runtime.install({
    logger: pinoTemporalLogger(options.log.child({ component: 'temporal' }), sdkLevel),
    telemetryOptions: {
      // The Core SDK's lines go through the same logger instead of straight to the console.
      logging: { filter: makeTelemetryFilterString({ core: sdkLevel === 'DEBUG' ? 'INFO' : 'WARN', other: 'ERROR' }), forward: {} },
      ...(metrics
        ? {
            metrics: {
              prometheus: {
                bindAddress: `${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}`,
                // Prometheus' own naming: counters end in _total, durations are in seconds and say so.
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          }
        : {}),
    },
    // Herald handles SIGINT/SIGTERM itself, to stop the API, the worker and the servers in order.
    shutdownSignals: [],
  });
}
