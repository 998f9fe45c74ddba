// tRPC is initialised once, here. No data transformer: the wire is plain JSON (dates as ISO-8601
// strings), so any HTTP client can read it. Procedures with `meta({ openapi })` also get a REST route.
import { initTRPC, type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { ZodError } from 'zod';
import type { Context } from './context.js';
import { observeCall } from './observe-call.js';
import { unreachable } from './unavailable.js';

export interface FieldError {
  /** Dotted path of the failing field (`event_types.0`), or a header name. */
  path: string;
  message: string;
  code: string;
}

/** A machine-readable reason for an error that is not about one field, e.g. `idempotency_conflict`. */
export class ErrorReason extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
    /** Facts a caller acts on, sent beside the reason (e.g. `run_id` with delivery_in_progress). */
    readonly details?: ErrorDetails,
  ) {
    super(reason, options);
    this.name = 'ErrorReason';
  }
}

export function fieldErrorsOf(error: TRPCError): FieldError[] | undefined {
  const cause = error.cause;
  if (!(cause instanceof ZodError)) return undefined;
  return cause.issues.flatMap((issue): FieldError[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'is not a known field', code: issue.code }))
      : [{ path: issue.path.join('.'), message: issue.message, code: issue.code }],
  );
}

/** People read the message: for field errors a list (`url: must use https; name: …`), not zod's JSON. */
export function errorMessage(error: TRPCError, fields = fieldErrorsOf(error)): string {
  if (!fields || fields.length === 0) return error.message;
  return fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
}

export function reasonOf(error: TRPCError): string | undefined {
  return error.cause instanceof ErrorReason ? error.cause.reason : undefined;
}

export interface ErrorDetails {
  run_id?: string;
}

export function detailsOf(error: TRPCError): ErrorDetails {
  return error.cause instanceof ErrorReason ? { ...error.cause.details } : {};
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const errors = fieldErrorsOf(error);
      // As on the REST face (rest.ts): a 503 says which server to wait for; any other 5xx's message
      // (a store's or a library's own words) stays inside, in the log.
      const internal = shape.data.httpStatus >= 500 && error.code !== 'SERVICE_UNAVAILABLE';
      return {
        ...shape,
        message: internal ? 'Internal server error' : errorMessage(error, errors),
        data: {
          ...shape.data,
          // Which fields failed and why, for BAD_REQUEST from input validation.
          errors,
          reason: reasonOf(error),
          ...detailsOf(error),
          // The stack never leaves the server.
          stack: undefined,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * The 503 with reason `unavailable` for an error thrown because MongoDB or Temporal could not be
 * reached (see unavailable.ts); undefined for any other error.
 */
export function unavailableError(cause: unknown): TRPCError | undefined {
  const server = unreachable(cause);
  if (!server) return undefined;
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: `${server} is unavailable; retry shortly`,
    cause: new ErrorReason('unavailable', { cause }),
  });
}

/**
 * No input at all (`GET /trpc/webhooks.list`, an empty body) is no fields: every input is an object,
 * so `{}`, whose defaults apply and whose missing required fields are named.
 */
const missingInputIsEmpty = t.middleware(({ getRawInput, next }) => next({ getRawInput: async () => (await getRawInput()) ?? {} }));

/** The API rate limit (rate-limit.ts), per call: a batch takes one token per call. */
const rateLimited = t.middleware(async ({ ctx, getRawInput, next }) => {
  ctx.deps.rateLimits.call(ctx.caller, await getRawInput());
  return next();
});

/** A span per call, the access log's procedure and account, the publish metrics (observe-call.ts). */
const observed = t.middleware(({ ctx, path, next }) => observeCall(ctx, path, next));

/** Observed; missing input made `{}`, then the rate limit: before anything else a call does. */
const limitedProcedure = t.procedure.use(observed).use(missingInputIsEmpty).use(rateLimited);

/** What a producer key may call: nothing else, whichever builder a procedure uses (deny by default). */
const PRODUCER_PROCEDURES = new Set(['events.publish']);

/** A producer key is valid, but good for `events.publish` only. */
function producerForbidden(): TRPCError {
  return new TRPCError({ code: 'FORBIDDEN', message: 'A producer key may only publish events (events.publish).' });
}

/**
 * What a consumer portal session may call (docs/portal.md): its account's webhooks, deliveries and the
 * catalogue; no API keys, events or new links (deny by default, like producer keys).
 */
const PORTAL_PROCEDURES = new Set([
  'webhooks.create',
  'webhooks.list',
  'webhooks.get',
  'webhooks.update',
  'webhooks.delete',
  'webhooks.enable',
  'webhooks.disable',
  'webhooks.rotate_secret',
  'webhooks.test',
  'deliveries.list',
  'deliveries.get',
  'deliveries.replay',
  'deliveries.recover',
  'deliveries.recover_status',
  'event_types.list',
]);

/**
 * Every procedure: an unreachable server answers 503, not 500; a producer key is refused (403) everywhere
 * but `events.publish`, a portal session everywhere but the portal's procedures.
 */
export const publicProcedure = limitedProcedure.use(async ({ ctx, path, next }) => {
  if (ctx.caller.kind === 'producer' && !PRODUCER_PROCEDURES.has(path)) throw producerForbidden();
  if (ctx.caller.kind === 'account' && ctx.caller.portal && !PORTAL_PROCEDURES.has(path)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'A portal session may only manage its account’s webhooks and deliveries.' });
  }
  const result = await next();
  const unavailable = result.ok ? undefined : unavailableError(result.error.cause);
  if (unavailable) throw unavailable;
  return result;
});

/**
 * A procedure for an account's API key; `ctx.accountId` scopes every query, `ctx.accountVersion` is
 * what authenticating the key read of the account's version.
 */
export const accountProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.caller.kind !== 'account') {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'A valid account API key is required (Authorization: Bearer <key>).' });
  }
  return next({ ctx: { ...ctx, accountId: ctx.caller.accountId, accountVersion: ctx.caller.version } });
});

/** A procedure for the operator's admin key (HERALD_ADMIN_API_KEY). */
export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.caller.kind !== 'admin') {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'The admin API key is required (Authorization: Bearer <key>).' });
  }
  return next();
});

/**
 * `events.publish`: an account's API key (for its own account) or a producer key (for the account its
 * input names: see publish-target.ts).
 */
export const publisherProcedure = publicProcedure.use(({ ctx, next }) => {
  const { caller } = ctx;
  if (caller.kind !== 'account' && caller.kind !== 'producer') {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'An account API key or a producer key is required (Authorization: Bearer <key>).',
    });
  }
  return next({ ctx: { ...ctx, caller } });
});

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
}

/** An error with a stable reason callers can branch on (`error.data.reason`, REST `reason`). */
export function reasonError(code: TRPC_ERROR_CODE_KEY, reason: string, message: string, details?: ErrorDetails): TRPCError {
  return new TRPCError({ code, message, cause: new ErrorReason(reason, undefined, details) });
}
