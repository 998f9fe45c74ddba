// One access log line per API request (method, route, procedure, status, duration, account, request id),
// never a key or a body. The request runs in an AsyncLocalStorage scope that the procedures' middleware
// (observe-call.ts) fills in with what only it knows: which procedures ran, for which account.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

export interface AccessNote {
  requestId: string;
  /** tRPC procedures called (a batch calls several). */
  procedures: string[];
  accountId?: string;
  producerKeyId?: string;
}

const scope = new AsyncLocalStorage<AccessNote>();

/** The note of the request being handled, if any (a procedure called in-process has none). */
export function currentAccess(): AccessNote | undefined {
  return scope.getStore();
}

/** A caller's `x-request-id`, when it is a plain token; otherwise a new one. */
function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

/** Probes and scrapes are logged at debug only: every few seconds, they would drown the rest. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function withAccessLog(log: Logger, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const access = log.child({ component: 'access' });
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const note: AccessNote = { requestId: requestIdOf(req), procedures: [] };
    res.setHeader('x-request-id', note.requestId);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.once('close', () => {
      const line = {
        method: req.method,
        route: path,
        ...(note.procedures.length > 0 ? { procedure: note.procedures.join(',') } : {}),
        status: res.statusCode,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        ...(note.accountId ? { account_id: note.accountId } : {}),
        ...(note.producerKeyId ? { producer_key_id: note.producerKeyId } : {}),
        request_id: note.requestId,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (QUIET_PATHS.has(path)) access.debug(line, 'request');
      else access.info(line, 'request');
    });
    scope.run(note, () => handler(req, res));
  };
}
