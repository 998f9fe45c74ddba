// `herald listen` (docs/cli.md): a temporary webhook whose attempts reach a developer's CLI through the
// connection the CLI holds (a subscription over SSE), so Herald never connects to the developer's machine.
// start makes the session and its webhook; requests streams the session's relayed attempts; respond is
// the CLI's answer to one (the attempt's outcome); stop deletes the session and its webhook.
import { z } from 'zod';
import { newId } from '../../domain/ids.js';
import type { ListenSessionDoc } from '../../store/documents.js';
import type { Context } from '../context.js';
import { checkSubscribable } from '../event-type-check.js';
import { routesTagged } from '../route-meta.js';
import { CreateWebhookInput } from '../schemas.js';
import { accountProcedure, notFound, reasonError, router } from '../trpc.js';
import { WebhookView, webhookView } from '../views.js';

const route = routesTagged('listen');

/** Open `herald listen` sessions per account: each is a webhook outside the account's webhook limit. */
export const MAX_LISTEN_SESSIONS = 10;

const sessionId = z.string().min(1).max(64);

const StartInput = z.strictObject({
  forward_to: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2_048)
    .describe('The local URL the CLI forwards to (shown on the webhook; Herald itself never connects to it).'),
  event_types: CreateWebhookInput.shape.event_types.optional().describe('Event types to receive; omitted: every type in the catalogue.'),
  inbox_ids: CreateWebhookInput.shape.inbox_ids,
});

const SessionInput = z.strictObject({ session_id: sessionId });

const RespondInput = z.strictObject({
  session_id: sessionId,
  request_id: z.string().min(1).max(200),
  status_code: z.number().int().min(100).max(599).nullable().describe('The local answer’s status; null when there was none.'),
  body: z.string().max(65_536).nullable().default(null).describe('The local answer’s body (Herald keeps 16 KiB).'),
  duration_ms: z.number().int().min(0).max(3_600_000),
  error: z.string().max(1_000).nullable().default(null).describe('Why there was no answer (connection refused, timeout).'),
});

const StartView = z.object({
  session_id: z.string(),
  webhook: WebhookView,
  secret: z.string().describe('The temporary webhook’s signing secret (whsec_…), for the local receiver’s verification.'),
});

/**
 * How often the API process holding a session's connection shows the session alive: well within the
 * sweep's grace (HERALD_LISTEN_SESSION_GRACE), and at most every 5 s.
 */
const heartbeatMs = (graceMs: number) => Math.min(5_000, Math.floor(graceMs / 4));

async function ownSession(ctx: Context & { accountId: string }, id: string): Promise<ListenSessionDoc> {
  const session = await ctx.deps.store.listen.session(ctx.accountId, id);
  if (!session) throw notFound('listen session');
  return session;
}

/** The session's relayed attempts as they come, from the store (an `_id` range per session). */
async function* relayedRequests(ctx: Context, sessionId: string, signal: AbortSignal | undefined) {
  const { listen } = ctx.deps.store;
  const sent = new Set<string>();
  let lastBeat = 0;
  let pauseMs = 20;
  while (!signal?.aborted) {
    let pending: Awaited<ReturnType<typeof listen.pending>>;
    try {
      if (Date.now() - lastBeat >= heartbeatMs(ctx.deps.config.listen.sessionGraceMs)) {
        await listen.touch(sessionId);
        lastBeat = Date.now();
      }
      pending = await listen.pending(sessionId);
    } catch {
      // MongoDB unreachable for a moment: the CLI stays connected, and the attempts wait for their timeout.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    // Answered requests leave the range; only those still pending are remembered as sent.
    const ids = new Set(pending.map((request) => request._id));
    for (const id of sent) if (!ids.has(id)) sent.delete(id);
    const fresh = pending.filter((request) => !sent.has(request._id));
    for (const request of fresh) {
      sent.add(request._id);
      yield {
        request_id: request._id,
        delivery_id: request.delivery_id,
        event_id: request.event_id,
        event_type: request.event_type,
        headers: request.headers,
        body: request.body,
      };
    }
    // Short while attempts arrive, up to 250 ms when idle: one `_id`-range read per pause.
    pauseMs = fresh.length > 0 ? 20 : Math.min(pauseMs * 2, 250);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

export const listenRouter = router({
  start: accountProcedure
    .meta(route('POST', '/v1/listen/sessions', 'Start a herald listen session', { description: 'A temporary webhook relayed to the CLI.' }))
    .input(StartInput)
    .output(StartView)
    .mutation(async ({ ctx, input }) => {
      const { store, lifecycle } = ctx.deps;
      const eventTypes = input.event_types ?? (await store.eventCatalogue.list()).filter((t) => !t.archived_at).map((t) => t.name);
      if (input.event_types) await checkSubscribable(store.eventCatalogue, input.event_types, 'event_types');
      const open = await store.listen.forAccount(ctx.accountId);
      if (open.length >= MAX_LISTEN_SESSIONS) {
        throw reasonError(
          'FORBIDDEN',
          'listen_session_limit_reached',
          `This account has ${MAX_LISTEN_SESSIONS} open herald listen sessions; stop one first.`,
        );
      }
      const id = newId('lsn');
      const now = new Date();
      // No slot (webhook-slots.ts): a temporary webhook does not count toward the account's limit.
      const { webhook } = await store.webhooks.create(ctx.accountId, {
        url: input.forward_to,
        event_types: eventTypes,
        inbox_ids: input.inbox_ids,
        pod_ids: [],
        name: `herald listen ${id}`,
        client_id: null,
        enabled: true,
        listen_session: id,
      });
      try {
        await store.listen.createSession({
          _id: id,
          account_id: ctx.accountId,
          webhook_id: webhook._id,
          created_at: now,
          last_seen_at: now,
        });
        await lifecycle.created(webhook);
      } catch (error) {
        await store.webhooks.delete(ctx.accountId, webhook._id);
        await store.listen.deleteSession(id).catch(() => undefined);
        throw error;
      }
      return { session_id: id, webhook: webhookView(webhook, null), secret: webhook.secrets.at(-1)?.value ?? '' };
    }),

  /**
   * The session's relayed attempts, as they come. Held by one API process; the requests are read from the
   * store (an `_id` range per session), so the attempts may run on any worker process.
   */
  requests: accountProcedure.input(SessionInput).subscription(async ({ ctx, input, signal }) => {
    // Checked before the stream starts, so that another account's session is a plain 404.
    await ownSession(ctx, input.session_id);
    return relayedRequests(ctx, input.session_id, signal);
  }),

  respond: accountProcedure
    .meta(route('POST', '/v1/listen/sessions/{session_id}/responses', 'Answer a relayed request'))
    .input(RespondInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ownSession(ctx, input.session_id);
      if (!input.request_id.startsWith(`${input.session_id}/`)) throw notFound('listen request');
      await ctx.deps.store.listen.answer({
        _id: input.request_id,
        status_code: input.status_code,
        body: input.body,
        duration_ms: input.duration_ms,
        error: input.status_code === null ? (input.error ?? 'no answer') : null,
        created_at: new Date(),
      });
      return { ok: true as const };
    }),

  stop: accountProcedure
    .meta(
      route('DELETE', '/v1/listen/sessions/{session_id}', 'Stop a herald listen session', {
        description: 'Deletes its temporary webhook.',
      }),
    )
    .input(SessionInput)
    .output(z.object({ deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const session = await ownSession(ctx, input.session_id);
      await ctx.deps.lifecycle.delete(ctx.accountId, session.webhook_id);
      await ctx.deps.store.listen.deleteSession(session._id);
      return { deleted: true as const };
    }),
});
