// Deletes `herald listen` sessions whose CLI has gone (a laptop asleep, a CLI killed without its Ctrl-C),
// with their temporary webhooks: a session is alive while an API process holding its connection moves
// `last_seen_at` on (routers/listen.ts). Every API process sweeps; deleting twice is harmless.
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import type { WebhookLifecycle } from '../temporal/webhook-lifecycle.js';

export function startListenSweep(
  deps: { store: Store; lifecycle: Pick<WebhookLifecycle, 'delete'>; log: Logger },
  graceMs: number,
): { stop(): void } {
  const { store, lifecycle, log } = deps;
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      for (const session of await store.listen.quietSince(new Date(Date.now() - graceMs))) {
        await lifecycle.delete(session.account_id, session.webhook_id);
        await store.listen.deleteSession(session._id);
        log.info({ sessionId: session._id, webhookId: session.webhook_id }, 'herald listen session gone: its webhook is deleted');
      }
    } catch (error) {
      // Tried again at the next pass.
      log.warn({ err: error }, 'could not sweep herald listen sessions');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(sweep, Math.max(1_000, Math.min(30_000, Math.floor(graceMs / 4))));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
