// The HTTP face: tRPC at /trpc, the same procedures as REST under /v1 (document at /v1/openapi.json),
// liveness at /healthz, readiness at /readyz.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createMetricsHandler } from '../metrics/metrics-endpoint.js';
import { withAccessLog } from './access-log.js';
import { COMPAT_PREFIX, createCompatHandler } from './compat/index.js';
import { type AppDeps, createContextInner, requestInfo } from './context.js';
import { createOpenApiDocument } from './openapi.js';
import { createPortalHandler, PORTAL_PATH } from './portal-page.js';
import { retryAfterOf } from './rate-limit.js';
import { createRestHandler } from './rest.js';
import { appRouter } from './router.js';

export interface HttpServer {
  server: Server;
  /** Listens and resolves with the base URL (port 0 picks a free port). */
  start(port: number, host: string): Promise<string>;
  /**
   * Stops accepting connections, lets the requests in flight finish (answered with `connection: close`,
   * so a busy client's keep-alive connection cannot keep the server open) and cuts whatever is still
   * open after `graceMs` (a client retries an unacknowledged request).
   */
  stop(graceMs?: number): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** `api: false` (a `worker` process, HERALD_ROLE): only /healthz and /readyz; every other path is a 404. */
export function createHttpServer(
  deps: AppDeps,
  isReady: () => Promise<Record<string, boolean>>,
  { api = true }: { api?: boolean } = {},
): HttpServer {
  // Room for the largest event plus its envelope; anything bigger is refused before parsing.
  const maxBodySize = deps.config.limits.maxEventBytes * 2 + 64 * 1024;
  const createContext = (header: (name: string) => string | string[] | undefined) => {
    const { apiKey, request } = requestInfo(header);
    return createContextInner(deps, apiKey, request);
  };
  const logFailure = (error: { code: string; cause?: unknown }, path: string | undefined) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') deps.log.error({ err: error.cause ?? error, path }, 'procedure failed');
    if (error.code === 'SERVICE_UNAVAILABLE') deps.log.warn({ err: error.cause ?? error, path }, 'a server is unreachable');
  };

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize,
    // A batch is one request but many calls (each a rate-limit token): bounded, so one request cannot
    // fan out into hundreds of calls. The typed client splits its batches to fit (src/client).
    maxBatchSize: deps.config.limits.maxBatch,
    createContext: ({ req }) => createContext((name) => req.headers[name]),
    // tRPC answers some errors it raises before routing (e.g. an unsupported content type) with a JSON
    // body labelled text/plain; every complete answer here is JSON, so say so. (Streamed answers set their own.)
    // A 429 from a rate limit carries Retry-After (the longest wait of the batch's refused calls).
    responseMeta: ({ eagerGeneration, errors }) => {
      const waits = errors.map(retryAfterOf).filter((wait) => wait !== undefined);
      const retryAfter: Record<string, string> = waits.length > 0 ? { 'retry-after': String(Math.max(...waits)) } : {};
      return eagerGeneration ? { headers: retryAfter } : { headers: { 'content-type': 'application/json', ...retryAfter } };
    },
    onError: ({ error, path }) => logFailure(error, path),
  });
  const rest = createRestHandler({
    router: appRouter,
    maxBodySize,
    createContext: (req) => createContext((name) => req.headers[name]),
    onError: logFailure,
  });
  // The seeds' own webhook APIs (daimon, AgentMail, Sendmux) over the same procedures.
  const compat = createCompatHandler(deps, { maxBodySize, onError: (error, path) => logFailure(error, path) });
  // Generated at start, so that a procedure with invalid OpenAPI metadata fails the boot, not a request.
  const openApiDocument = JSON.stringify(createOpenApiDocument(appRouter, deps.config.api.publicUrl));
  // The consumer portal's page (docs/portal.md); its calls go to /v1 like any other client's.
  const portal = createPortalHandler(deps.config.portal.frameAncestors);

  // GET /metrics (Prometheus) on this port, unless HERALD_METRICS_PORT moved it (or HERALD_METRICS=off).
  const metricsHandler =
    deps.metrics?.enabled && deps.config.observability.metrics.port === undefined ? createMetricsHandler(deps.metrics) : () => false;

  let stopping = false;
  const handleRequest = (req: IncomingMessage, res: ServerResponse) => {
    // Stopping: answer, then close the connection, so that a busy keep-alive client cannot hold the server open.
    if (stopping) res.shouldKeepAlive = false;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (metricsHandler(req, res)) return;
    if (path === '/readyz') {
      isReady()
        .then((checks) => sendJson(res, Object.values(checks).every(Boolean) ? 200 : 503, checks))
        .catch(() => sendJson(res, 503, { status: 'unavailable' }));
      return;
    }
    if (!api)
      return sendJson(res, 404, {
        name: 'NotFoundError',
        message: `No route ${req.method} ${path} (a worker process: HERALD_ROLE=worker)`,
      });
    if (path?.startsWith('/trpc/')) return trpc(req, res);
    if (path?.startsWith(PORTAL_PATH) && portal(req, res, path)) return;
    if (path === '/v1/openapi.json' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(openApiDocument);
    }
    const face = path?.startsWith(COMPAT_PREFIX) ? compat : rest;
    face(req, res)
      .then((handled) => {
        if (!handled) sendJson(res, 404, { name: 'NotFoundError', message: `No route ${req.method} ${path}` });
      })
      .catch((error) => {
        deps.log.error({ err: error, path }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { name: 'ServerError', message: 'Internal server error' });
      });
  };
  // One access log line per request (access-log.ts).
  const server = createServer(withAccessLog(deps.log, handleRequest));
  // A slow or silent client must not hold a connection forever.
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  return {
    server,
    start(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const { port: bound } = server.address() as AddressInfo;
          resolve(`http://${host}:${bound}`);
        });
      });
    },
    stop(graceMs = 5_000) {
      return new Promise((resolve) => {
        stopping = true;
        // Connections whose request was in flight become idle once answered: close them as they do.
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
