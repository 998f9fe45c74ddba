// One structured logger (pino). Child loggers add a `component`; nothing logs secrets or API keys, and
// `redact` censors the fields that could hold one should a log call ever pass them.
import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Paths pino censors wherever they appear (top level or one level down). */
export const REDACTED_PATHS = [
  'secret',
  'secrets',
  'api_key',
  'apiKey',
  'authorization',
  'password',
  '*.secret',
  '*.secrets',
  '*.api_key',
  '*.apiKey',
  '*.authorization',
  '*.password',
  'headers["webhook-signature"]',
  '*.headers.authorization',
  '*.headers["webhook-signature"]',
];

/**
 * `format`: `json` (one object a line), `pretty` (for a terminal); undefined picks pretty when stdout is a
 * terminal. `destination`: tests capture the lines.
 */
export function createLogger(level: string, format?: 'json' | 'pretty', destination?: DestinationStream): Logger {
  const usePretty = format === 'pretty' || (format === undefined && destination === undefined && process.stdout.isTTY === true);
  const options = { level, base: undefined, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (usePretty) return pino(options, pretty({ colorize: process.stdout.isTTY === true, destination: destination ?? 1, sync: true }));
  return destination ? pino(options, destination) : pino(options);
}
