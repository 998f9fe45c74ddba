// The HTTP face: tRPC at /trpc, liveness at /healthz, readiness at /readyz.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { type AppDeps, bearerToken, createContextInner } from './context.js';
import { appRouter } from './router.js';

export interface HttpServer {
  server: Server;
  /** Listens and resolves with the base URL (port 0 picks a free port). */
  start(port: number, host: string): Promise<string>;
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function createHttpServer(deps: AppDeps, isReady: () => Promise<Record<string, boolean>>): HttpServer {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    // Room for the largest event plus its envelope; anything bigger is refused before parsing.
    maxBodySize: deps.config.limits.maxEventBytes * 2 + 64 * 1024,
    createContext: ({ req }) => createContextInner(deps, bearerToken(req.headers.authorization)),
    // tRPC answers some errors it raises before routing (e.g. an unsupported content type) with a JSON
    // body labelled text/plain; every complete answer here is JSON, so say so. (Streamed answers set their own.)
    responseMeta: ({ eagerGeneration }) => (eagerGeneration ? {} : { headers: { 'content-type': 'application/json' } }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') deps.log.error({ err: error.cause ?? error, path }, 'procedure failed');
    },
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      isReady()
        .then((checks) => sendJson(res, Object.values(checks).every(Boolean) ? 200 : 503, checks))
        .catch(() => sendJson(res, 503, { status: 'unavailable' }));
      return;
    }
    if (path?.startsWith('/trpc/')) return trpc(req, res);
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` } });
  });
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
    stop() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
