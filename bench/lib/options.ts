// `npm run bench -- [--quick] [--duration 30s] [--rates 10,50,100,200] [--events 1000] [--events10 300]
//   [--baseline 1000] [--fanout 1000] [--concurrency 32] [--only limit,baseline,throughput,latency,fanout,cost]
//   [--memory] [--worker-options '{"maxConcurrentWorkflowTaskPolls":10}'] [--only growth --sizes 10000,100000,1000000]
//   [--topology split]` (all-in-one vs 1 api + 2 worker processes, on the dev server and a Temporal cluster)
import { parseArgs } from 'node:util';
import type { WorkerOptions } from '@temporalio/worker';
import { parseDuration } from '../../src/domain/duration.js';

export const BENCHMARKS = ['limit', 'baseline', 'throughput', 'latency', 'fanout', 'cost', 'growth'] as const;
/** Run unless `--only` names others; `growth` (minutes of seeding) runs only when named. */
const DEFAULT_BENCHMARKS = BENCHMARKS.filter((name) => name !== 'growth');
export type BenchmarkName = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  quick: boolean;
  only: Set<BenchmarkName>;
  limitDurationMs: number;
  limitConcurrency: number;
  baselineWorkflows: number;
  events1: number;
  events10: number;
  concurrency: number;
  rates: number[];
  rateDurationMs: number;
  fanout: number;
  memory: boolean;
  workerOptions: Partial<WorkerOptions> | undefined;
  /** Stored deliveries at which `growth` measures. */
  growthSizes: number[];
  /** `split`: only the split-topology comparison (bench/benchmarks/split-topology.ts). */
  topology: 'split' | undefined;
  /** The split comparison's one fixed rate (events/s): the first of --rates, else 20. */
  splitRate: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--duration 30s] [--rates 10,50,100,200] [--events N] [--events10 N]
  [--baseline N] [--fanout N] [--concurrency N] [--only ${BENCHMARKS.join(',')}] [--memory] [--worker-options JSON]
  [--sizes 10000,100000,1000000] (growth) [--topology split]`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rates: { type: 'string' },
      events: { type: 'string' },
      events10: { type: 'string' },
      baseline: { type: 'string' },
      fanout: { type: 'string' },
      concurrency: { type: 'string' },
      only: { type: 'string' },
      memory: { type: 'boolean', default: false },
      'worker-options': { type: 'string' },
      sizes: { type: 'string' },
      topology: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const int = (text: string | undefined, fallback: number, name: string) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer\n${USAGE}`);
    return n;
  };
  const rateDurationMs = values.duration === undefined ? (quick ? 5_000 : 30_000) : parseDuration(values.duration);
  if (rateDurationMs === undefined) throw new Error(`--duration must be a duration like 30s\n${USAGE}`);
  if (values.topology !== undefined && values.topology !== 'split') throw new Error(`--topology must be split\n${USAGE}`);
  const only = new Set((values.only?.split(',') ?? DEFAULT_BENCHMARKS).map((s) => s.trim()) as BenchmarkName[]);
  for (const name of only) if (!BENCHMARKS.includes(name)) throw new Error(`unknown benchmark "${name}"\n${USAGE}`);
  return {
    quick,
    only,
    limitDurationMs: quick ? 2_000 : 5_000,
    limitConcurrency: 64,
    baselineWorkflows: int(values.baseline, quick ? 200 : 1_000, 'baseline'),
    events1: int(values.events, quick ? 200 : 1_000, 'events'),
    events10: int(values.events10, quick ? 40 : 300, 'events10'),
    concurrency: int(values.concurrency, 32, 'concurrency'),
    // Issue 7's 50, 100 and 200 events/s, and 10/s: the latency of a system that is not saturated.
    rates: (values.rates ?? '10,50,100,200').split(',').map((r) => int(r, 0, 'rates')),
    rateDurationMs,
    fanout: int(values.fanout, quick ? 200 : 1_000, 'fanout'),
    memory: values.memory ?? false,
    workerOptions: values['worker-options'] ? (JSON.parse(values['worker-options']) as Partial<WorkerOptions>) : undefined,
    growthSizes: (values.sizes ?? '10000,100000,1000000').split(',').map((n) => int(n, 0, 'sizes')),
    topology: values.topology === 'split' ? 'split' : undefined,
    splitRate: values.rates ? int(values.rates.split(',')[0], 0, 'rates') : 20,
  };
}
