// The Temporal SDK's process-wide runtime, installed once before any connection or worker exists.
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

export function installTemporalRuntime(level: string): void {
  if (installed) return;
  installed = true;
  const sdkLevel: LogLevel = level === 'debug' ? 'DEBUG' : level === 'info' ? 'WARN' : 'ERROR';
  Runtime.install({
    logger: new DefaultLogger(sdkLevel),
    // Herald handles SIGINT/SIGTERM itself, to stop the API, the worker and the servers in order.
    shutdownSignals: [],
  });
}
