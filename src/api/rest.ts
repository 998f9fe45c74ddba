// The REST face of the tRPC router: every procedure with `meta({ openapi: { method, path } })` answers
// at that route, with the same input schema, auth and procedure code as over tRPC. The OpenAPI
// document is generated from the same metadata by trpc-to-openapi (see openapi.ts); its HTTP handler is
// not used, because it answered malformed or empty JSON with a 500, coerced `?ascending=false` to
// true, and mutated the shared input schemas to coerce tRPC inputs too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AnyRouter, type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { type ZodError, ZodRealError, z } from 'zod';
import { retryAfterOf } from './rate-limit.js';
import { detailsOf, errorMessage, fieldErrorsOf, reasonOf } from './trpc.js';

/** The body of every REST error: a name to branch on, a message for people, and the failing fields. */
export const RestError = z.object({
  name: z.string().describe('ValidationError, UnauthorizedError, NotFoundError, ConflictError, …'),
  message: z.string(),
  reason: z.string().optional().describe('A stable reason where one helps, e.g. idempotency_conflict, webhook_limit_reached.'),
  errors: z
    .array(z.object({ path: z.string(), message: z.string(), code: z.string() }))
    .optional()
    .describe('The fields that failed validation (400).'),
  run_id: z.string().optional().describe('With delivery_in_progress: the delivery workflow’s run at work (e.g. the winning replay’s).'),
});

export const ERROR_NAMES: Partial<Record<TRPC_ERROR_CODE_KEY, string>> = {
  BAD_REQUEST: 'ValidationError',
  PARSE_ERROR: 'ParseError',
  UNAUTHORIZED: 'UnauthorizedError',
  FORBIDDEN: 'ForbiddenError',
  NOT_FOUND: 'NotFoundError',
  METHOD_NOT_SUPPORTED: 'MethodNotAllowedError',
  CONFLICT: 'ConflictError',
  PAYLOAD_TOO_LARGE: 'PayloadTooLargeError',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeError',
  TOO_MANY_REQUESTS: 'RateLimitError',
  SERVICE_UNAVAILABLE: 'ServiceUnavailableError',
};

type AnyProcedureDef = { type?: string; inputs: unknown[]; meta?: OpenApiMeta };

interface RestRoute {
  method: string;
  pattern: RegExp;
  params: string[];
  /** The tRPC path, e.g. `webhooks.get`. */
  procedure: string;
  input: z.ZodObject | undefined;
}

function routesOf(router: AnyRouter): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [procedure, value] of Object.entries(router._def.procedures as Record<string, { _def: AnyProcedureDef }>)) {
    const openapi = value._def.meta?.openapi;
    if (!openapi || openapi.enabled === false || value._def.type === 'subscription') continue;
    const params: string[] = [];
    const source = openapi.path.replace(/\/$/, '').replace(/\{(\w+)\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    });
    routes.push({
      method: openapi.method,
      pattern: new RegExp(`^${source}/?$`),
      params,
      procedure,
      input: objectInput(procedure, value._def.inputs),
    });
  }
  return routes;
}

/**
 * The object schema whose shape tells how to read query strings and path parameters. Refinements keep
 * an object a ZodObject in zod 4; a transform or preprocess wraps it in a pipe, looked through here. Any
 * other input cannot be spelled as a query string or a JSON object: refused at startup, not at request time.
 */
export function objectInput(procedure: string, inputs: unknown[]): z.ZodObject | undefined {
  if (inputs.length === 0) return undefined;
  if (inputs.length > 1) throw new Error(`REST route of ${procedure}: chained .input() calls are not supported`);
  let schema = inputs[0];
  while (schema instanceof z.ZodPipe || schema instanceof z.ZodOptional) {
    schema = schema instanceof z.ZodPipe ? (schema.in instanceof z.ZodTransform ? schema.out : schema.in) : schema.unwrap();
  }
  if (schema instanceof z.ZodObject) return schema;
  throw new Error(`REST route of ${procedure}: its input must be an object schema`);
}

/** Query strings are text: turn what the schema wants as numbers and booleans into them, exactly. */
function queryValue(schema: z.ZodType | undefined, values: string[]): unknown {
  let inner: z.ZodType | undefined = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) {
    inner = inner.unwrap() as z.ZodType;
  }
  if (inner instanceof z.ZodArray) return values.map((v) => queryValue(inner.element as z.ZodType, [v]));
  if (values.length !== 1) return values;
  const [value = ''] = values;
  if (inner instanceof z.ZodNumber && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (inner instanceof z.ZodBoolean && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function queryInput(url: URL, input: z.ZodObject | undefined): Record<string, unknown> {
  // Own properties whatever the name: `result[key] = …` would set the prototype for `__proto__` and
  // the parameter would vanish instead of being refused as unknown.
  return Object.fromEntries(
    [...new Set(url.searchParams.keys())].map((key) => [
      key,
      queryValue(Object.hasOwn(input?.shape ?? {}, key) ? (input?.shape[key] as z.ZodType) : undefined, url.searchParams.getAll(key)),
    ]),
  );
}

/** A route with a body reads its fields from the body only: a query string would silently override them. */
function refuseQuery(url: URL): void {
  const names = [...new Set(url.searchParams.keys())];
  if (names.length === 0) return;
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message: 'This route takes no query parameters; send fields in the JSON body',
    cause: issues(...names.map((path) => ({ path, message: 'is a query parameter: this route reads fields from the JSON body only' }))),
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const tooLarge = (limit: number) => new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `The body must be at most ${limit} bytes.` });

export function issues(...list: { path: string; message: string }[]): ZodError {
  return new ZodRealError(list.map(({ path, message }) => ({ code: 'custom', path: path ? [path] : [], message, input: undefined })));
}

export async function bodyInput(req: IncomingMessage, limit: number, params: string[]): Promise<Record<string, unknown>> {
  const text = await readBody(req, limit);
  if (text.trim() === '') return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The body must be JSON (Content-Type: application/json).' });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new TRPCError({ code: 'PARSE_ERROR', message: `The body is not valid JSON: ${(error as Error).message}` });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'The body must be a JSON object.',
      cause: issues({ path: '', message: 'must be a JSON object' }),
    });
  }
  const clash = params.find((name) => name in body);
  if (clash) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${clash} belongs in the path`,
      cause: issues({ path: clash, message: 'belongs in the path, not the body' }),
    });
  }
  return body as Record<string, unknown>;
}

export interface RestHandlerOptions<TContext> {
  router: AnyRouter;
  createContext(req: IncomingMessage): Promise<TContext>;
  maxBodySize: number;
  onError?(error: TRPCError, procedure: string | undefined): void;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: TRPCError): void {
  const status = getHTTPStatusCodeFromError(error);
  // A 503 says which server to wait for (see unavailable.ts); other 5xx messages stay inside.
  const internal = status >= 500 && error.code !== 'SERVICE_UNAVAILABLE';
  sendJson(
    res,
    status,
    {
      name: ERROR_NAMES[error.code] ?? (internal ? 'ServerError' : 'Error'),
      message: internal ? 'Internal server error' : errorMessage(error),
      reason: reasonOf(error),
      errors: fieldErrorsOf(error),
      ...detailsOf(error),
    } satisfies z.infer<typeof RestError>,
    {
      // The body was not read to its end: do not reuse the connection.
      ...(error.code === 'PAYLOAD_TOO_LARGE' ? { connection: 'close' } : {}),
      // A rate limit's 429 says when to come back.
      ...(retryAfterOf(error) === undefined ? {} : { 'retry-after': String(retryAfterOf(error)) }),
    },
  );
}

/** Returns a handler that answers REST routes, or returns false for a path it does not know. */
export function createRestHandler<TContext>(options: RestHandlerOptions<TContext>) {
  const routes = routesOf(options.router);
  const createCaller = options.router.createCaller as (ctx: TContext) => Record<string, unknown>;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://herald.invalid');
    const matches = routes.filter((r) => r.pattern.test(url.pathname));
    if (matches.length === 0) return false;
    const route = matches.find((r) => r.method === req.method);
    let procedure: string | undefined;
    try {
      if (!route) {
        res.setHeader('allow', matches.map((r) => r.method).join(', '));
        throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: `${req.method} is not supported on ${url.pathname}` });
      }
      procedure = route.procedure;
      const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
      const pathInput: Record<string, string> = {};
      route.params.forEach((name, i) => {
        try {
          pathInput[name] = decodeURIComponent(values[i] ?? '');
        } catch {
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: `${name} is not valid`,
            cause: issues({ path: name, message: 'is not valid URL encoding' }),
          });
        }
      });
      const hasBody = req.method !== 'GET' && req.method !== 'DELETE' && req.method !== 'HEAD';
      if (hasBody) refuseQuery(url);
      const input = {
        ...(hasBody ? await bodyInput(req, options.maxBodySize, route.params) : {}),
        ...queryInput(url, hasBody ? undefined : route.input),
        ...pathInput,
      };
      const unexpected = route.input ? [] : Object.keys(input);
      if (unexpected.length > 0) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'This route takes no input',
          cause: issues(...unexpected.map((path) => ({ path, message: 'is not a known field' }))),
        });
      }
      const ctx = await options.createContext(req);
      const call = route.procedure.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], createCaller(ctx));
      const result = await (call as (input: unknown) => Promise<unknown>)(route.input ? input : undefined);
      sendJson(res, 200, result);
    } catch (cause) {
      const error =
        cause instanceof TRPCError ? cause : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', cause });
      options.onError?.(error, procedure);
      sendError(res, error);
    }
    return true;
  };
}
