// `npm run bench -- --topology split`: the same workload on Herald all-in-one (HERALD_ROLE=all, one
// process) and split (1 `api` + 2 `worker` processes, HERALD_ROLE), on the Temporal dev server (what
// `npm start` runs) and on a Temporal cluster (the server built from go.temporal.io/server on
// PostgreSQL 15, 4 history shards: test/support/cluster-stack.ts), in one run. Per combination:
// deliveries/s as fast as the API takes events, publish→POST latency at one fixed rate, and CPU ms per
// delivery per process kind (api, worker, all, temporal, postgres, mongodb) from /proc.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterStack, startClusterStack } from '../../test/support/cluster-stack.js';
import { type Stack, startStack } from '../../test/support/stack.js';
import type { HeraldBenchContext } from '../lib/context.js';
import { createAccount, type HeraldUnderTest, startHeraldUnderTest } from '../lib/herald.js';
import { meter } from '../lib/meter.js';
import { connectMongoOps } from '../lib/mongo-ops.js';
import type { BenchOptions } from '../lib/options.js';
import type { BenchReceiver } from '../lib/receiver.js';
import { round } from '../lib/stats.js';
import { connectBenchTemporal } from '../lib/temporal.js';
import { runLatency } from './herald-latency.js';
import { runThroughput } from './herald-throughput.js';

export type Topology = 'all-in-one' | '1 api + 2 worker';
export type TemporalKind = 'dev server' | 'cluster (PostgreSQL)';

export interface SplitRow {
  temporal: TemporalKind;
  servers: string;
  topology: Topology;
  events: number;
  deliveriesPerSecond: number | null;
  throughputDuplicates: number;
  rate: number;
  p50Ms: number;
  p99Ms: number;
  deliveredAtRate: string;
  overloaded: boolean;
  /** CPU ms per delivery during the as-fast-as-possible phase, per process kind, and their total. */
  cpuMsPerDelivery: Record<string, number>;
  /** The same during the fixed-rate phase (includes idle pollers, so higher per delivery at low rates). */
  cpuMsPerDeliveryAtRate: Record<string, number>;
}

type Log = (msg: string) => void;

/** CPU ms per delivery for each kind: the workers summed, `total` over every service process. */
function perKind(cpuMs: Record<string, number>, deliveries: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const [name, ms] of Object.entries(cpuMs)) {
    if (name === 'harness') continue;
    const kind = name.replace(/-\d+$/, '');
    kinds[kind] = (kinds[kind] ?? 0) + ms;
  }
  const out = Object.fromEntries(Object.entries(kinds).map(([k, ms]) => [k, round(ms / Math.max(1, deliveries), 2)]));
  out.total = round(Object.values(kinds).reduce((a, b) => a + b, 0) / Math.max(1, deliveries), 2);
  return out;
}

async function measureTopology(
  stack: Stack,
  temporal: TemporalKind,
  topology: Topology,
  options: BenchOptions,
  receiver: BenchReceiver,
  log: Log,
): Promise<SplitRow> {
  const shared = {
    adminKey: `hk_admin_bench_${randomBytes(12).toString('hex')}`,
    taskQueue: `herald-split-${randomBytes(3).toString('hex')}`,
  };
  const processes: Array<{ kind: string; herald: HeraldUnderTest }> = [];
  const start = async (kind: 'all' | 'api' | 'worker') => {
    const herald = await startHeraldUnderTest(stack, { maxWebhooks: 10, role: kind, shared });
    processes.push({ kind, herald });
    return herald;
  };
  const benchTemporal = await connectBenchTemporal(stack.temporalAddress);
  const mongo = await connectMongoOps(stack.mongodbUri);
  try {
    log(`[${temporal}] ${topology}: starting Herald`);
    let front: HeraldUnderTest;
    if (topology === 'all-in-one') front = await start('all');
    else {
      await Promise.all([start('worker'), start('worker')]);
      front = await start('api');
    }
    const pids = () => {
      const out: Record<string, number> = { temporal: stack.temporalPid(), mongodb: stack.mongodbPid(), harness: -process.pid };
      const postgres = (stack as Partial<ClusterStack>).postgresPid?.();
      if (postgres) out.postgres = postgres;
      processes.forEach(({ kind, herald }, i) => {
        out[`${kind}-${i}`] = herald.process.pid;
      });
      return out;
    };
    const ctx: HeraldBenchContext = {
      stack,
      herald: front,
      receiver,
      temporal: benchTemporal,
      mongo,
      webhookCount: () => mongo.count('herald_bench', 'webhooks'),
      log,
    };
    const account = await createAccount(front, `split-${randomBytes(3).toString('hex')}`, receiver.url, 1, 'message.received');

    log(`[${temporal}] ${topology}: ${options.events1} events, ${options.concurrency} in flight`);
    const fast = await meter(pids());
    const throughput = await runThroughput(ctx, account, {
      label: `split-${Date.now().toString(36)}`,
      events: options.events1,
      concurrency: options.concurrency,
    });
    const fastCost = await fast.stop();
    log(`  ${throughput.deliveriesPerSecond} deliveries/s, ${throughput.duplicates} duplicates`);

    log(`[${temporal}] ${topology}: ${options.splitRate} events/s for ${options.rateDurationMs / 1000} s`);
    const steady = await meter(pids());
    const latency = await runLatency(ctx, account, {
      rate: options.splitRate,
      durationMs: options.rateDurationMs,
      drainMs: Math.max(30_000, options.rateDurationMs),
    });
    const steadyCost = await steady.stop();
    log(`  p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms, ${latency.delivered}/${latency.published} delivered`);
    return {
      temporal,
      servers: stack.description,
      topology,
      events: options.events1,
      deliveriesPerSecond: throughput.deliveriesPerSecond,
      throughputDuplicates: throughput.duplicates,
      rate: options.splitRate,
      p50Ms: latency.latencyMs.p50,
      p99Ms: latency.latencyMs.p99,
      deliveredAtRate: `${latency.delivered}/${latency.published}`,
      overloaded: latency.overloaded,
      cpuMsPerDelivery: perKind(fastCost.cpuMs, throughput.deliveries),
      cpuMsPerDeliveryAtRate: perKind(steadyCost.cpuMs, Math.max(1, latency.delivered)),
    };
  } finally {
    await Promise.allSettled(processes.map(({ herald }) => herald.stop()));
    await Promise.allSettled([benchTemporal.close(), mongo.close()]);
  }
}

export async function runSplitTopology(options: BenchOptions, receiver: BenchReceiver, log: Log): Promise<SplitRow[]> {
  const rows: SplitRow[] = [];
  const topologies: Topology[] = ['all-in-one', '1 api + 2 worker'];
  const dev = await startStack({ temporal: 'file', log });
  try {
    for (const topology of topologies) rows.push(await measureTopology(dev, 'dev server', topology, options, receiver, log));
  } finally {
    await dev.stop();
  }
  log('starting a Temporal cluster (PostgreSQL 15, 4 history shards) and FerretDB');
  const cluster = await startClusterStack({ dir: mkdtempSync(join(tmpdir(), 'herald-bench-cluster-')), log });
  try {
    for (const topology of topologies) rows.push(await measureTopology(cluster, 'cluster (PostgreSQL)', topology, options, receiver, log));
  } finally {
    await cluster.stop();
  }
  return rows;
}

export function splitTable(rows: readonly SplitRow[]): string {
  const kinds = ['all', 'api', 'worker', 'temporal', 'postgres', 'mongodb', 'total'];
  const cpu = (r: Record<string, number>) => kinds.map((k) => (r[k] === undefined ? '–' : String(r[k]))).join(' | ');
  const lines = [
    `| Temporal | Herald | deliveries/s | p50 / p99 publish→POST at ${rows[0]?.rate ?? '?'}/s (ms) | CPU ms/delivery: ${kinds.join(' | ')} |`,
    `|---|---|---|---|${kinds.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${r.temporal} | ${r.topology} | ${r.deliveriesPerSecond ?? 'incomplete'} | ${r.p50Ms} / ${r.p99Ms}${r.overloaded ? ' (overloaded)' : ''} | ${cpu(r.cpuMsPerDelivery)} |`,
    ),
  ];
  return lines.join('\n');
}
