// Everything a Herald benchmark needs: the servers, Herald, the receiver, and the instruments.
import type { Stack } from '../../test/support/stack.js';
import type { HeraldUnderTest } from './herald.js';
import type { MongoOps } from './mongo-ops.js';
import type { Arrival, BenchReceiver } from './receiver.js';
import type { BenchTemporal } from './temporal.js';

export interface HeraldBenchContext {
  stack: Stack;
  herald: HeraldUnderTest;
  receiver: BenchReceiver;
  temporal: BenchTemporal;
  mongo: MongoOps;
  log: (msg: string) => void;
}

/**
 * The processes whose CPU a Herald phase costs. `harness` is this process alone (publisher and
 * receiver; its children are the others), reported to show that it is not the bottleneck.
 */
export function heraldPids(ctx: HeraldBenchContext): Record<string, number> {
  return { temporal: ctx.stack.temporalPid(), mongodb: ctx.stack.mongodbPid(), herald: ctx.herald.process.pid, harness: -process.pid };
}

export const SERVICE_PROCESSES = ['temporal', 'mongodb', 'herald'];

/** First arrival per (path, webhook-id), and how many arrivals repeated one. */
export function firstArrivals(arrivals: readonly Arrival[]): { first: Map<string, number>; duplicates: number } {
  const first = new Map<string, number>();
  let duplicates = 0;
  for (const a of arrivals) {
    const key = `${a.path} ${a.id}`;
    if (first.has(key)) duplicates++;
    else first.set(key, a.at);
  }
  return { first, duplicates };
}

/** Waits for the delivery workflows of a phase to complete (visibility), so that phases do not overlap. */
export async function settle(ctx: HeraldBenchContext, completedTarget: number, timeoutMs: number): Promise<number | undefined> {
  return ctx.temporal.waitCompleted(ctx.herald.taskQueue, completedTarget, timeoutMs, 'deliveryWorkflow');
}

export function completedDeliveries(ctx: HeraldBenchContext): Promise<number> {
  return ctx.temporal.count(ctx.herald.taskQueue, 'Completed', 'deliveryWorkflow');
}
