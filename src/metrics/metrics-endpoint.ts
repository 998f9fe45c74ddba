// `GET /metrics` (Prometheus text format): a request handler the API's server mounts, and a small server
// of its own for HERALD_METRICS_PORT (or a process that serves no API). Mount it wherever a process
// listens: answers true when it handled the request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export function createMetricsHandler(metrics: Metrics) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH || !metrics.registry) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'MethodNotAllowedError', message: 'GET /metrics' }));
      return true;
    }
    const registry = metrics.registry;
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics collection failed\n');
      },
    );
    return true;
  };
}

export interface MetricsServer {
  url: string;
  stop(): Promise<void>;
}

/** `/metrics` alone on its own port (HERALD_METRICS_PORT, bound to HERALD_METRICS_HOST). */
export async function startMetricsServer(metrics: Metrics, port: number, host: string): Promise<MetricsServer> {
  const handle = createMetricsHandler(metrics);
  const server: Server = createServer((req, res) => {
    if (!handle(req, res)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'NotFoundError', message: `No route ${req.method} ${req.url}` }));
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}${METRICS_PATH}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
