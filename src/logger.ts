// One structured logger. Child loggers add a `component`; nothing logs secrets or API keys.
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, redact: ['secret', 'secrets', 'api_key', 'authorization'] });
}
