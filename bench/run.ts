// `npm run bench`: starts its own servers (the same discovery as `npm start`), measures the limit, the
// Temporal baseline and Herald end to end in one run, prints a table with ratios and targets, and
// writes the figures to bench/results/<timestamp>.json. Never part of the test suite.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHeraldClient } from '../src/client/index.js';
import { startStack } from '../test/support/stack.js';
import { type PublishOnlyResult, runCost, runPublishOnly } from './benchmarks/cost.js';
import { runFanOut } from './benchmarks/fan-out.js';
import { growthTable, runGrowth } from './benchmarks/growth.js';
import { runLatency } from './benchmarks/herald-latency.js';
import { runThroughput } from './benchmarks/herald-throughput.js';
import { runLimit } from './benchmarks/limit.js';
import { runSplitTopology, splitTable } from './benchmarks/split-topology.js';
import { runBaseline } from './benchmarks/temporal-baseline.js';
import type { HeraldBenchContext } from './lib/context.js';
import { BENCH_DATABASE, type BenchAccount, createAccount, publishErrors, startHeraldUnderTest } from './lib/herald.js';
import { connectMongoOps } from './lib/mongo-ops.js';
import { type BenchmarkName, type BenchOptions, parseOptions } from './lib/options.js';
import { type BenchReceiver, startBenchReceiver } from './lib/receiver.js';
import { type BenchResults, environmentInfo, printReport, type RunResults, writeResults } from './lib/report.js';
import { connectBenchTemporal } from './lib/temporal.js';

const log = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

// What to stop if the run is interrupted (Ctrl-C, a timeout): servers and Herald must not outlive it.
const running = new Set<() => Promise<unknown>>();
async function using<T>(stop: () => Promise<unknown>, body: () => Promise<T>): Promise<T> {
  running.add(stop);
  try {
    return await body();
  } finally {
    running.delete(stop);
    await stop();
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping Herald and the servers`);
    void Promise.allSettled([...running].reverse().map((stop) => stop())).then(() => process.exit(130));
  });
}

async function measureOn(
  temporalMode: 'file' | 'memory',
  options: BenchOptions,
  receiver: BenchReceiver,
  full: boolean,
): Promise<RunResults> {
  const has = (name: BenchmarkName) => options.only.has(name);
  const run: RunResults = { temporal: temporalMode, latency: [] };
  const stack = await startStack({ temporal: temporalMode, log });
  run.servers = stack.description;
  return using(stack.stop, async () => {
    const temporal = await connectBenchTemporal(stack.temporalAddress);
    const mongo = await connectMongoOps(stack.mongodbUri);
    try {
      if (has('baseline')) {
        for (const workflowType of ['oneActivityWorkflow', 'oneLocalActivityWorkflow'] as const) {
          log(`[${temporalMode}] Temporal baseline: ${options.baselineWorkflows} × ${workflowType}`);
          const result = await runBaseline(stack, temporal, {
            workflowType,
            count: options.baselineWorkflows,
            concurrency: options.concurrency,
            workerOptions: options.workerOptions,
          });
          if (workflowType === 'oneActivityWorkflow') run.baselineActivity = result;
          else run.baselineLocal = result;
          log(`  ${result.workflowsPerSecond} workflows/s`);
        }
      }
      if (!(['throughput', 'latency', 'fanout', 'cost', 'growth'] as const).some(has)) return run;

      log(`[${temporalMode}] starting Herald (src/main.ts) on these servers`);
      const herald = await startHeraldUnderTest(stack, { maxWebhooks: Math.max(100, options.fanout + 10) });
      return await using(herald.stop, async () => {
        const webhookCount = () => mongo.count(BENCH_DATABASE, 'webhooks');
        const ctx: HeraldBenchContext = { stack, herald, receiver, temporal, mongo, webhookCount, log };
        if (has('growth')) {
          log(`[${temporalMode}] growth: ${options.growthSizes.join(', ')} stored deliveries`);
          run.growth = await runGrowth(stack, herald, receiver.url, { sizes: options.growthSizes, log });
          process.stdout.write(`\n${growthTable(run.growth)}\n`);
        }
        const one = await createAccount(herald, 'one', receiver.url, 1, 'message.received');
        let deliveriesToOne = 0;
        let oneEventIds: string[] = [];
        if (has('throughput') || has('cost')) {
          log(`[${temporalMode}] Herald → 1 webhook: ${options.events1} events, ${options.concurrency} in flight`);
          const { eventIds, ...figures } = await runThroughput(ctx, one, {
            label: `one-${Date.now().toString(36)}`,
            events: options.events1,
            concurrency: options.concurrency,
          });
          run.oneWebhook = figures;
          deliveriesToOne += figures.delivered;
          oneEventIds = eventIds;
          log(`  ${figures.deliveriesPerSecond} deliveries/s (${figures.completedPerSecond} completed/s)`);
          // The platform publishes for its accounts with one producer key: the same phase through it.
          const { producer_key } = await herald.admin.producer_keys.create.mutate({ name: 'bench' });
          log(`[${temporalMode}] Herald → 1 webhook through a producer key: ${options.events1} events`);
          const { eventIds: _, ...byProducer } = await runThroughput(ctx, one, {
            label: `producer-${Date.now().toString(36)}`,
            events: options.events1,
            concurrency: options.concurrency,
            producer: createHeraldClient({ url: herald.url, apiKey: producer_key }),
          });
          run.oneWebhookByProducer = byProducer;
          deliveriesToOne += byProducer.delivered;
          log(`  ${byProducer.deliveriesPerSecond} deliveries/s (${byProducer.completedPerSecond} completed/s)`);
        }
        const none = has('cost') ? await createAccount(herald, 'none', receiver.url, 0, 'message.received') : undefined;
        let publishOnly: PublishOnlyResult | undefined;
        if (none) {
          log(`[${temporalMode}] the API alone: ${options.events1} events to an account without webhooks`);
          publishOnly = await runPublishOnly(ctx, none, { events: options.events1, concurrency: options.concurrency });
        }
        if (full) deliveriesToOne += await restOfHerald(ctx, run, options, one);
        let publishOnlyLargeDb: PublishOnlyResult | undefined;
        if (none && run.fanOut) {
          // The same, now that the fan-out account's webhooks exist too: what the database's size does to it.
          log(`[${temporalMode}] the API alone again, with ${run.fanOut.webhooks} more webhooks in the database`);
          publishOnlyLargeDb = await runPublishOnly(ctx, none, { events: options.events1, concurrency: options.concurrency });
        }
        if (has('cost') && run.oneWebhook) {
          // Health signals are counted over every delivery the 1-webhook account received in this run.
          run.cost = await runCost(ctx, {
            webhookId: one.webhookIds[0] as string,
            eventIds: oneEventIds,
            deliveriesToWebhook: deliveriesToOne,
            throughput: run.oneWebhook,
            sample: 20,
          });
          run.cost.publishOnly = publishOnly;
          run.cost.publishOnlyLargeDb = publishOnlyLargeDb;
        }
        return run;
      });
    } finally {
      await Promise.allSettled([temporal.close(), mongo.close()]);
    }
  });
}

/** 10 webhooks, fixed rates, fan-out (file-backed run only); returns the deliveries the 1-webhook account received. */
async function restOfHerald(ctx: HeraldBenchContext, run: RunResults, options: BenchOptions, one: BenchAccount): Promise<number> {
  const has = (name: BenchmarkName) => options.only.has(name);
  const { herald, receiver } = ctx;
  let deliveriesToOne = 0;
  if (has('throughput')) {
    const ten = await createAccount(herald, 'ten', receiver.url, 10, 'message.received');
    log(`[${run.temporal}] Herald → 10 webhooks: ${options.events10} events`);
    const result = await runThroughput(ctx, ten, {
      label: `ten-${Date.now().toString(36)}`,
      events: options.events10,
      concurrency: options.concurrency,
    });
    const { eventIds: _, ...figures } = result;
    run.tenWebhooks = figures;
    log(`  ${figures.deliveriesPerSecond} deliveries/s`);
  }
  if (has('latency')) {
    for (const rate of options.rates) {
      log(`[${run.temporal}] Herald at ${rate} events/s for ${options.rateDurationMs / 1000} s`);
      const result = await runLatency(ctx, one, {
        rate,
        durationMs: options.rateDurationMs,
        drainMs: Math.max(30_000, options.rateDurationMs),
      });
      deliveriesToOne += result.delivered;
      run.latency.push(result);
      log(`  p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${result.delivered}/${result.published} delivered`);
    }
  }
  if (has('fanout')) {
    log(`[${run.temporal}] fan-out: creating ${options.fanout} webhooks`);
    const fan = await createAccount(herald, 'fan', receiver.url, options.fanout, 'message.sent');
    log(`[${run.temporal}] fan-out: one event → ${options.fanout} webhooks`);
    run.fanOut = await runFanOut(ctx, fan, { timeoutMs: 120_000 });
    log(`  last POST after ${run.fanOut.lastPostMs} ms`);
  }
  return deliveriesToOne;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const environment = environmentInfo();
  const receiver = await startBenchReceiver();
  if (options.topology === 'split') {
    // Only the split-topology comparison (bench/benchmarks/split-topology.ts), with its own table and file.
    const rows = await using(receiver.close, () => runSplitTopology(options, receiver, log));
    process.stdout.write(`\n${splitTable(rows)}\n\n`);
    const file = join(import.meta.dirname, 'results', `split-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ environment, options: { ...options, only: [...options.only] }, rows }, null, 2)}\n`);
    process.stdout.write(`figures written to ${file}\n`);
    return;
  }
  const results: BenchResults = { runs: [] };
  try {
    if (options.only.has('limit')) {
      log(`limit: sign + POST for ${options.limitDurationMs / 1000} s, ${options.limitConcurrency} in flight`);
      results.limit = await runLimit(receiver, { durationMs: options.limitDurationMs, concurrency: options.limitConcurrency });
      log(`  ${results.limit.requestsPerSecond} requests/s`);
    }
    if ([...options.only].some((name) => name !== 'limit')) {
      results.runs.push(await measureOn('file', options, receiver, true));
      if (options.memory) results.runs.push(await measureOn('memory', options, receiver, false));
    }
  } finally {
    await receiver.close();
  }
  results.publishErrors = { ...publishErrors };
  printReport(results, options, environment);
  const file = writeResults(join(import.meta.dirname, 'results'), results, options, environment);
  process.stdout.write(`figures written to ${file}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
