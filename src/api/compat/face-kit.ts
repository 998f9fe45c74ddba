// What the three compat faces (daimon, AgentMail, Sendmux) share: routing a request to a face's route,
// reading its body and query the way the REST face does, calling Herald's procedures in-process with
// the same context (same API keys, same code) and turning any failure into a TRPCError that the face
// then spells in its own error style. A face maps shapes; it has no rules of its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { z } from 'zod';
import { type AppDeps, type Context, createContextInner, requestInfo } from '../context.js';
import { bodyInput, ERROR_NAMES, issues } from '../rest.js';
import { appRouter } from '../router.js';
import { createCallerFactory, type FieldError, fieldErrorsOf, unavailableError } from '../trpc.js';

const createCaller = createCallerFactory(appRouter);
export type HeraldCaller = ReturnType<typeof createCaller>;

/** One request to a face's route. */
export interface FaceRequest {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  /** The JSON body (`{}` when empty), as the REST face reads it. */
  body(): Promise<Record<string, unknown>>;
  /** The query string as an object; each face validates it with its own schema. */
  query: Record<string, string>;
  /** Herald's procedures, as the holder of the request's API key. */
  herald(): Promise<{ call: HeraldCaller; ctx: Context }>;
}

export interface FaceAnswer {
  status?: number;
  /** undefined: an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FaceRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** e.g. `/compat/daimon/v1/webhooks/{webhook_id}` */
  path: string;
  handle(request: FaceRequest): Promise<FaceAnswer>;
}

export interface Face {
  /** Every path of the face starts with this. */
  prefix: string;
  routes: FaceRoute[];
  /** The face's own error body for a failure (already a TRPCError: bad input, not found, …). */
  error(error: TRPCError, req: IncomingMessage): FaceAnswer;
}

/** The HTTP status Herald gives an error (400, 401, 404, 409, 503, …). */
export const statusOf = (error: TRPCError) => getHTTPStatusCodeFromError(error);

/** Herald's REST error names (ValidationError, NotFoundError, …), used by the faces that speak them. */
export function errorName(error: TRPCError): string {
  return ERROR_NAMES[error.code] ?? (isInternal(error) ? 'ServerError' : 'Error');
}

/** A 5xx other than 503 says nothing of the inside. */
export function isInternal(error: TRPCError): boolean {
  return statusOf(error) >= 500 && error.code !== 'SERVICE_UNAVAILABLE';
}

/**
 * Field errors with the face's names for Herald's fields (`event_types` → `events`), so that a 400
 * names the field the caller sent. `renames` maps a Herald path prefix to the face's.
 */
export function renamedFieldErrors(error: TRPCError, renames: Record<string, string> = {}): FieldError[] | undefined {
  return fieldErrorsOf(error)?.map((e) => {
    for (const [from, to] of Object.entries(renames)) {
      if (e.path === from || e.path.startsWith(`${from}.`)) return { ...e, path: to + e.path.slice(from.length) };
    }
    return e;
  });
}

/** People read the message: the failing fields, or the error's own message (never an internal one). */
export function messageOf(error: TRPCError, fields: FieldError[] | undefined): string {
  if (isInternal(error)) return 'Internal server error';
  if (fields && fields.length > 0) return fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
  return error.message;
}

/** Validates a face's request against its own (strict) schema: a 400 naming the field, as Herald's are. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid input', cause: result.error });
  return result.data;
}

/** Query strings are text: integers and booleans read exactly (`ascending=false` is false, `limit=abc` a 400). */
export const queryInt = z
  .string()
  .regex(/^-?\d+$/, 'must be an integer')
  .transform((v) => Number(v));
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

function toTrpcError(cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  return unavailableError(cause) ?? new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', cause });
}

function send(res: ServerResponse, answer: FaceAnswer): void {
  const status = answer.status ?? 200;
  if (answer.body === undefined) {
    res.writeHead(status, { 'content-length': '0', ...answer.headers });
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

interface CompiledRoute extends FaceRoute {
  pattern: RegExp;
  params: string[];
}

function compile(route: FaceRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}/?$`), params };
}

export interface FaceHandlerOptions {
  deps: AppDeps;
  maxBodySize: number;
  onError?(error: TRPCError, path: string): void;
}

/** A handler for every face: answers their routes, or returns false for a path none of them has. */
export function createFacesHandler(faces: Face[], options: FaceHandlerOptions) {
  const compiled = faces.map((face) => ({ face, routes: face.routes.map(compile) }));
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://herald.invalid');
    const entry = compiled.find(({ face }) => url.pathname === face.prefix || url.pathname.startsWith(`${face.prefix}/`));
    if (!entry) return false;
    const matches = entry.routes.filter((r) => r.pattern.test(url.pathname));
    try {
      if (matches.length === 0) throw new TRPCError({ code: 'NOT_FOUND', message: `No route ${req.method} ${url.pathname}` });
      const route = matches.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader('allow', matches.map((r) => r.method).join(', '));
        throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: `${req.method} is not supported on ${url.pathname}` });
      }
      const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
      const params: Record<string, string> = {};
      route.params.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(values[i] ?? '');
        } catch {
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: `${name} is not valid`,
            cause: issues({ path: name, message: 'is not valid URL encoding' }),
          });
        }
      });
      // Own properties whatever the name (`query[key] = …` would drop `__proto__`), as rest.ts reads queries.
      const entries = new Map<string, string>();
      for (const key of new Set(url.searchParams.keys())) {
        const all = url.searchParams.getAll(key);
        if (all.length > 1)
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: `${key} is repeated`,
            cause: issues({ path: key, message: 'must be given once' }),
          });
        entries.set(key, all[0] ?? '');
      }
      const query: Record<string, string> = Object.fromEntries(entries);
      const answer = await route.handle({
        req,
        url,
        params,
        query,
        body: () => bodyInput(req, options.maxBodySize, route.params),
        async herald() {
          const { apiKey, request } = requestInfo((name) => req.headers[name]);
          const ctx = await createContextInner(options.deps, apiKey, request);
          return { call: createCaller(ctx), ctx };
        },
      });
      send(res, answer);
    } catch (cause) {
      const error = toTrpcError(cause);
      options.onError?.(error, url.pathname);
      const answer = entry.face.error(error, req);
      // The body was not read to its end: do not reuse the connection.
      send(res, error.code === 'PAYLOAD_TOO_LARGE' ? { ...answer, headers: { ...answer.headers, connection: 'close' } } : answer);
    }
    return true;
  };
}

/** The account the request's key belongs to (the procedures have already refused any other caller). */
export function accountOf(ctx: Context): string {
  if (ctx.caller.kind !== 'account') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'A valid account API key is required.' });
  return ctx.caller.accountId;
}
