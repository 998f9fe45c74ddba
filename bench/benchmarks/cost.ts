// 5. Cost per delivery: history events of successful delivery workflows (sampled), signals and
// updates the webhook's health workflow received per 1,000 deliveries (n/a while no health workflow
// exists), and — from the 1-webhook throughput phase — MongoDB commands and CPU ms per delivery.
import { deliveryWorkflowId, healthWorkflowId } from '../../src/temporal/workflow-ids.js';
import { type HeraldBenchContext, heraldPids, SERVICE_PROCESSES, waitIdle } from '../lib/context.js';
import { type BenchAccount, pool, publish, sampleMessage } from '../lib/herald.js';
import { meter, perUnit } from '../lib/meter.js';
import { totalCommands } from '../lib/mongo-ops.js';
import { round } from '../lib/stats.js';
import type { ThroughputResult } from './herald-throughput.js';

export interface CostResult {
  historyEventsPerDelivery: number | null;
  historyEventTypes: Record<string, number> | null;
  historySample: number;
  /** null: no health workflow exists for the webhook (yet). */
  healthSignalsPer1000: number | null;
  healthDeliveries: number;
  mongoCommandsPerDelivery: number | null;
  mongoCommandBreakdown: Record<string, number> | null;
  cpuMsPerDelivery: Record<string, number>;
  /** The API's share: publishing to an account without webhooks (no workflow, no POST), per event. */
  publishOnly?: PublishOnlyResult;
  /** The same once the fan-out account's webhooks exist (other accounts' webhooks in the database). */
  publishOnlyLargeDb?: PublishOnlyResult;
}

export interface PublishOnlyResult {
  events: number;
  /** Webhooks in the database (all accounts) while it ran. */
  webhooksInDatabase: number;
  publishPerSecond: number;
  cpuMsPerEvent: Record<string, number>;
  mongoCommandsPerEvent: number | null;
  mongoCommandBreakdown: Record<string, number> | null;
}

/** Publishes to an account with no webhooks: what accepting an event costs before any delivery. */
export async function runPublishOnly(
  ctx: HeraldBenchContext,
  account: BenchAccount,
  options: { events: number; concurrency: number },
): Promise<PublishOnlyResult> {
  await waitIdle(ctx);
  const label = `api-${Date.now().toString(36)}`;
  const cost = await meter(heraldPids(ctx), ctx.mongo);
  const started = performance.now();
  await pool(options.events, options.concurrency, async (i) => {
    await publish(account.client, { type: 'message.received', data: sampleMessage(i), event_id: `${label}-${i}` });
  });
  const elapsed = performance.now() - started;
  const { cpuMs, mongoCommands } = await cost.stop();
  return {
    events: options.events,
    webhooksInDatabase: await ctx.webhookCount(),
    publishPerSecond: round((options.events / elapsed) * 1000, 1),
    cpuMsPerEvent: perUnit(cpuMs, options.events, SERVICE_PROCESSES),
    mongoCommandsPerEvent: mongoCommands ? round(totalCommands(mongoCommands) / options.events, 2) : null,
    mongoCommandBreakdown: mongoCommands
      ? Object.fromEntries(Object.entries(mongoCommands).map(([name, n]) => [name, round(n / options.events, 2)]))
      : null,
  };
}

const SIGNAL_LIKE = new Set(['WorkflowExecutionSignaled', 'WorkflowExecutionUpdateAccepted']);

export async function runCost(
  ctx: HeraldBenchContext,
  options: { webhookId: string; eventIds: string[]; deliveriesToWebhook: number; throughput: ThroughputResult; sample: number },
): Promise<CostResult> {
  const sample = options.eventIds.slice(0, options.sample);
  const lengths: number[] = [];
  let types: Record<string, number> | null = null;
  for (const eventId of sample) {
    const history = await ctx.temporal.historyEventTypes(deliveryWorkflowId(options.webhookId, eventId));
    if (!history) continue;
    lengths.push(history.length);
    if (!types) {
      types = {};
      for (const type of history) types[type] = (types[type] ?? 0) + 1;
    }
  }
  const health = await ctx.temporal.historyEventTypes(healthWorkflowId(options.webhookId));
  const signals = health?.filter((type) => SIGNAL_LIKE.has(type)).length;
  return {
    historyEventsPerDelivery: lengths.length ? round(lengths.reduce((a, b) => a + b, 0) / lengths.length, 1) : null,
    historyEventTypes: types,
    historySample: lengths.length,
    healthSignalsPer1000: signals === undefined ? null : round((signals / Math.max(1, options.deliveriesToWebhook)) * 1000, 1),
    healthDeliveries: options.deliveriesToWebhook,
    mongoCommandsPerDelivery: options.throughput.mongoCommandsPerDelivery,
    mongoCommandBreakdown: options.throughput.mongoCommandBreakdown,
    cpuMsPerDelivery: options.throughput.cpuMsPerDelivery,
  };
}
