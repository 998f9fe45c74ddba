// 3a. Herald end to end, as fast as the API takes events: N events published through the typed client
// (bounded concurrency; with the account's key, or with a producer key naming the account) to an account with k webhooks → deliveries/s at the receiver, and what the
// phase cost every process (CPU) and MongoDB (commands).

import type { HeraldClient } from '../../src/client/index.js';
import {
  completedDeliveries,
  firstArrivals,
  type HeraldBenchContext,
  heraldPids,
  SERVICE_PROCESSES,
  settle,
  waitIdle,
} from '../lib/context.js';
import { type BenchAccount, pool, publish, sampleMessage } from '../lib/herald.js';
import { type Cost, meter, perUnit } from '../lib/meter.js';
import { totalCommands } from '../lib/mongo-ops.js';
import { round } from '../lib/stats.js';

export interface ThroughputResult {
  webhooks: number;
  events: number;
  deliveries: number;
  concurrency: number;
  /** Events acknowledged by the API per second. */
  publishPerSecond: number;
  /** Deliveries per second, first publish → last POST at the receiver. */
  deliveriesPerSecond: number | null;
  /** Deliveries per second, first publish → every delivery workflow completed (as the baseline is timed). */
  completedPerSecond: number | null;
  delivered: number;
  duplicates: number;
  cpuMsPerDelivery: Record<string, number>;
  mongoCommandsPerDelivery: number | null;
  mongoCommandBreakdown: Record<string, number> | null;
  cost: Cost;
}

export async function runThroughput(
  ctx: HeraldBenchContext,
  account: BenchAccount,
  options: {
    label: string;
    events: number;
    concurrency: number;
    /** Another key to publish with (a producer key, naming the account in each publish); default the account's own. */
    producer?: HeraldClient;
  },
): Promise<ThroughputResult & { eventIds: string[] }> {
  const k = account.webhookIds.length;
  const deliveries = options.events * k;
  const eventIds = Array.from({ length: options.events }, (_, i) => `${options.label}-${i}`);
  await waitIdle(ctx);
  ctx.receiver.reset();
  const completedBefore = await completedDeliveries(ctx);
  const cost = await meter(heraldPids(ctx), ctx.mongo);

  const started = performance.now();
  await pool(options.events, options.concurrency, async (i) => {
    await publish(options.producer ?? account.client, {
      type: 'message.received',
      inbox_id: 'inbox_bench',
      data: sampleMessage(i),
      event_id: eventIds[i] as string,
      ...(options.producer ? { account_id: account.accountId } : {}),
    });
  });
  const acked = performance.now();
  // Generous (5 deliveries/s would be very slow here), yet bounded: a lost delivery must not hang the run.
  const arrivedAll = await ctx.receiver.waitForCount(deliveries, 60_000 + deliveries * 200);
  const done = await settle(ctx, completedBefore + deliveries, arrivedAll ? 60_000 : 1_000);
  const measured = await cost.stop();

  const { first, duplicates } = firstArrivals(ctx.receiver.arrivals());
  const lastPost = Math.max(...first.values());
  const perSecond = (end: number | undefined) => (end === undefined ? null : round((deliveries / (end - started)) * 1000, 1));
  const commands = measured.mongoCommands;
  return {
    webhooks: k,
    events: options.events,
    deliveries,
    concurrency: options.concurrency,
    publishPerSecond: round((options.events / (acked - started)) * 1000, 1),
    deliveriesPerSecond: first.size >= deliveries ? perSecond(lastPost) : null,
    completedPerSecond: perSecond(done),
    delivered: first.size,
    duplicates,
    cpuMsPerDelivery: perUnit(measured.cpuMs, deliveries, SERVICE_PROCESSES),
    mongoCommandsPerDelivery: commands ? round(totalCommands(commands) / deliveries, 2) : null,
    mongoCommandBreakdown: commands
      ? Object.fromEntries(Object.entries(commands).map(([name, n]) => [name, round(n / deliveries, 2)]))
      : null,
    cost: measured,
    eventIds,
  };
}
