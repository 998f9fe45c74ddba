// tRPC is initialised once, here. No data transformer: the wire is plain JSON (dates as ISO-8601
// strings), so any HTTP client can read it.
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.js';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Which fields failed and why, for BAD_REQUEST from input validation.
        errors:
          cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })) : undefined,
        // The stack never leaves the server.
        stack: undefined,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/** A procedure for an account's API key; `ctx.accountId` scopes every query. */
export const accountProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.caller.kind !== 'account') {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'A valid account API key is required (Authorization: Bearer <key>).' });
  }
  return next({ ctx: { ...ctx, accountId: ctx.caller.accountId } });
});

/** A procedure for the operator's admin key (HERALD_ADMIN_API_KEY). */
export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.caller.kind !== 'admin') {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'The admin API key is required (Authorization: Bearer <key>).' });
  }
  return next();
});

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
}
