// Every procedure call, whichever face it came through: a span named by the procedure (the parent of
// what the call causes: a publish's workflow starts and first attempts), the access log's procedure and
// account, and for `events.publish` its metrics.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TRACER_NAME } from '../tracing/tracing.js';
import { currentAccess } from './access-log.js';
import type { Context } from './context.js';

type CallResult = { ok: true; data: unknown } | { ok: false; error: { code: string } };

export async function observeCall<R extends CallResult>(ctx: Context, path: string, next: () => Promise<R>): Promise<R> {
  const note = currentAccess();
  const { caller } = ctx;
  if (note) {
    note.procedures.push(path);
    if (caller.kind === 'account') note.accountId = caller.accountId;
    if (caller.kind === 'producer') note.producerKeyId = caller.producerKeyId;
  }
  const started = performance.now();
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(path, { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'trpc', 'rpc.method': path } }, async (span) => {
      try {
        const result = await next();
        if (caller.kind === 'account') span.setAttribute('herald.account.id', caller.accountId);
        if (result.ok && path === 'events.publish') {
          const event = result.data as { type: string; account_id: string; id?: string; event_id?: string };
          ctx.deps.metrics?.eventPublished(event.type, (performance.now() - started) / 1000);
          span.setAttribute('herald.account.id', event.account_id);
          span.setAttribute('herald.event.type', event.type);
          if (note) note.accountId ??= event.account_id;
        }
        if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.code });
        return result;
      } finally {
        span.end();
      }
    });
}
