// Everything a Herald benchmark needs: the servers, Herald, the receiver, and the instruments.
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** Webhooks in Herald's database, every account. */
  webhookCount(): Promise<number>;
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

/**
 * Waits until no delivery workflow runs, so that a phase starts on an idle system and never measures
 * the previous phase's backlog.
 */
export async function waitIdle(ctx: HeraldBenchContext, timeoutMs = 5 * 60_000): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if ((await ctx.temporal.count(ctx.herald.taskQueue, 'Running', 'deliveryWorkflow')) === 0) {
      const waited = performance.now() - started;
      if (waited > 1_000) ctx.log(`  (waited ${(waited / 1000).toFixed(1)} s for the previous phase's deliveries to finish)`);
      return;
    }
    await sleep(250);
  }
  ctx.log(`  (still busy after ${timeoutMs / 1000} s; measuring anyway)`);
}

export function completedDeliveries(ctx: HeraldBenchContext): Promise<number> {
  return ctx.temporal.count(ctx.herald.taskQueue, 'Completed', 'deliveryWorkflow');
}
