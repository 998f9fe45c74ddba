// 4. Fan-out: one event to an account with F webhooks (1,000 by default) → time until the last POST
// arrives. Above HERALD_DIRECT_FANOUT_MAX this is the fan-out workflow's job once it exists; until then
// the API starts every delivery itself.
import { completedDeliveries, firstArrivals, type HeraldBenchContext, settle, waitIdle } from '../lib/context.js';
import type { BenchAccount } from '../lib/herald.js';
import { publish, sampleMessage } from '../lib/herald.js';
import { round } from '../lib/stats.js';

export interface FanOutResult {
  webhooks: number;
  /** publish call → API's answer. */
  ackMs: number;
  firstPostMs: number | null;
  /** publish call → the last webhook's POST: the figure the target is about. */
  lastPostMs: number | null;
  /** publish call → every delivery workflow completed. */
  completedMs: number | null;
  delivered: number;
  duplicates: number;
}

export async function runFanOut(ctx: HeraldBenchContext, account: BenchAccount, options: { timeoutMs: number }): Promise<FanOutResult> {
  const webhooks = account.webhookIds.length;
  await waitIdle(ctx);
  ctx.receiver.reset();
  const completedBefore = await completedDeliveries(ctx);
  const started = performance.now();
  await publish(account.client, {
    type: 'message.sent',
    data: sampleMessage('fan-out'),
    event_id: `fanout-${Date.now().toString(36)}`,
  });
  const acked = performance.now();
  const all = await ctx.receiver.waitForCount(webhooks, options.timeoutMs);
  const done = await settle(ctx, completedBefore + webhooks, all ? options.timeoutMs : 1_000);
  const { first, duplicates } = firstArrivals(ctx.receiver.arrivals());
  const times = [...first.values()];
  return {
    webhooks,
    ackMs: round(acked - started, 0),
    firstPostMs: times.length ? round(Math.min(...times) - started, 0) : null,
    lastPostMs: first.size >= webhooks ? round(Math.max(...times) - started, 0) : null,
    completedMs: done === undefined ? null : round(done - started, 0),
    delivered: first.size,
    duplicates,
  };
}
