// The printed table (figures, targets from issue 7 as pass/miss — printed, never asserted — and ratios
// against the baselines measured in the same run) and the JSON written to bench/results/.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { CostResult } from '../benchmarks/cost.js';
import type { FanOutResult } from '../benchmarks/fan-out.js';
import type { GrowthResult } from '../benchmarks/growth.js';
import type { LatencyResult } from '../benchmarks/herald-latency.js';
import type { ThroughputResult } from '../benchmarks/herald-throughput.js';
import type { LimitResult } from '../benchmarks/limit.js';
import type { BaselineResult } from '../benchmarks/temporal-baseline.js';
import type { BenchOptions } from './options.js';
import { round } from './stats.js';

export interface RunResults {
  temporal: 'file' | 'memory';
  /** The servers measured, e.g. `temporal server start-dev (SQLite file, WAL), ferretdb-v1.24.2-herald.1`. */
  servers?: string;
  baselineActivity?: BaselineResult;
  baselineLocal?: BaselineResult;
  oneWebhook?: ThroughputResult;
  /** The same, published with a producer key (the account named in each publish). */
  oneWebhookByProducer?: ThroughputResult;
  tenWebhooks?: ThroughputResult;
  latency: LatencyResult[];
  fanOut?: FanOutResult;
  cost?: CostResult;
  growth?: GrowthResult;
}

export interface BenchResults {
  limit?: LimitResult;
  runs: RunResults[];
  /** Publishes the API answered with an error (each retried with the same event id). */
  publishErrors?: { count: number; last: string };
}

export const TARGETS = {
  /** Herald end to end ≥ 1.0 × the one-activity baseline on the same server. */
  throughputVsBaseline: 1.0,
  fanOutWebhooks: 1_000,
  fanOutMs: 10_000,
  latencyRate: 50,
  latencyP99Ms: 250,
};

type Row = [string, string, string, string];

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '—'
    : !Number.isFinite(n)
      ? 'never'
      : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'pass' : 'MISS');
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round(a / b, 3) : null);

export interface Ratios {
  heraldOverBaseline: number | null;
  heraldOverLocalBaseline: number | null;
  tenWebhooksOverBaseline: number | null;
  heraldOverLimit: number | null;
}

export function ratios(run: RunResults, limit: LimitResult | undefined): Ratios {
  const herald = run.oneWebhook?.deliveriesPerSecond;
  return {
    heraldOverBaseline: ratio(herald, run.baselineActivity?.workflowsPerSecond),
    heraldOverLocalBaseline: ratio(herald, run.baselineLocal?.workflowsPerSecond),
    tenWebhooksOverBaseline: ratio(run.tenWebhooks?.deliveriesPerSecond, run.baselineActivity?.workflowsPerSecond),
    heraldOverLimit: ratio(herald, limit?.requestsPerSecond),
  };
}

/** Cores on this machine: CPU ms per unit → the most units per second the machine could do if CPU-bound. */
const CORES = cpus().length;

function cpuText(cpu: Record<string, number> | undefined, names: Record<string, string>, ceiling = false): string {
  if (!cpu) return '—';
  const parts = Object.entries(names).map(([key, label]) => `${label} ${fmt(cpu[key], 1)}`);
  const bound = ceiling && cpu.total ? ` → at most ${fmt((CORES * 1000) / cpu.total, 0)}/s on ${CORES} cores` : '';
  return `${fmt(cpu.total, 1)} (${parts.join(', ')})${bound}`;
}

function runRows(run: RunResults, limit: LimitResult | undefined): Row[] {
  const rows: Row[] = [];
  const base = run.baselineActivity?.workflowsPerSecond;
  const target = base ? base * TARGETS.throughputVsBaseline : undefined;
  if (run.baselineActivity) rows.push(['2 Temporal: 1 activity per workflow', `${fmt(base)} workflows/s`, '', '']);
  if (run.baselineLocal)
    rows.push(['2 Temporal: 1 local activity per workflow', `${fmt(run.baselineLocal.workflowsPerSecond)} workflows/s`, '', '']);
  for (const [label, t] of [
    ['3 Herald → 1 webhook', run.oneWebhook],
    ['3 Herald → 1 webhook, producer key', run.oneWebhookByProducer],
    ['3 Herald → 10 webhooks', run.tenWebhooks],
  ] as const) {
    if (!t) continue;
    rows.push([
      `${label} (${t.events} events)`,
      `${fmt(t.deliveriesPerSecond)} deliveries/s`,
      target ? `≥ ${fmt(target)} (1.0× baseline)` : '',
      verdict(target && t.deliveriesPerSecond !== null ? t.deliveriesPerSecond >= target : target ? false : undefined),
    ]);
  }
  for (const l of run.latency) {
    const hasTarget = l.rate === TARGETS.latencyRate;
    rows.push([
      `3 Herald at ${l.rate} events/s: p50 / p95 / p99 publish→POST`,
      `${fmt(l.latencyMs.p50, 0)} / ${fmt(l.latencyMs.p95, 0)} / ${fmt(l.latencyMs.p99, 0)} ms${l.delivered < l.published ? ` (${l.published - l.delivered} late)` : ''}${l.overloaded ? ` — overloaded, stopped after ${fmt(l.durationMs / 1000, 1)} s` : ''}`,
      hasTarget ? `p99 ≤ ${TARGETS.latencyP99Ms} ms` : '',
      hasTarget ? verdict(l.latencyMs.p99 <= TARGETS.latencyP99Ms) : '',
    ]);
  }
  if (run.fanOut) {
    const f = run.fanOut;
    const full = f.webhooks >= TARGETS.fanOutWebhooks;
    rows.push([
      `4 Fan-out: 1 event → ${f.webhooks} webhooks, last POST`,
      f.lastPostMs === null ? `${f.delivered} of ${f.webhooks} delivered` : `${fmt(f.lastPostMs / 1000, 2)} s (ack ${fmt(f.ackMs, 0)} ms)`,
      `≤ ${TARGETS.fanOutMs / 1000} s for ${TARGETS.fanOutWebhooks}`,
      full ? verdict(f.lastPostMs !== null && f.lastPostMs <= TARGETS.fanOutMs) : '(fewer webhooks)',
    ]);
  }
  if (run.cost) {
    const c = run.cost;
    rows.push(['5 History events per successful delivery', fmt(c.historyEventsPerDelivery), '', '']);
    rows.push([
      '5 Health workflow signals per 1,000 deliveries',
      c.healthSignalsPer1000 === null ? 'n/a (no health workflow)' : fmt(c.healthSignalsPer1000),
      '',
      '',
    ]);
    rows.push(['5 MongoDB commands per delivery', fmt(c.mongoCommandsPerDelivery, 2), '', '']);
    rows.push([
      '5 CPU ms per delivery',
      cpuText(c.cpuMsPerDelivery, { temporal: 'Temporal', mongodb: 'MongoDB', herald: 'Herald' }, true),
      '',
      '',
    ]);
  }
  for (const p of [run.cost?.publishOnly, run.cost?.publishOnlyLargeDb]) {
    if (!p) continue;
    rows.push([
      `5 … the API accepting an event (no subscriber; ${p.webhooksInDatabase} webhooks in the database)`,
      `${cpuText(p.cpuMsPerEvent, { temporal: 'Temporal', mongodb: 'MongoDB', herald: 'Herald' })}; ${fmt(p.mongoCommandsPerEvent, 2)} MongoDB commands`,
      '',
      '',
    ]);
  }
  for (const b of [run.baselineActivity, run.baselineLocal]) {
    if (!b) continue;
    rows.push([
      `5 CPU ms per baseline workflow (${b.workflowType === 'oneActivityWorkflow' ? 'activity' : 'local activity'})`,
      cpuText(b.cpuMsPerWorkflow, { temporal: 'Temporal', worker: 'worker' }, true),
      '',
      '',
    ]);
  }
  const r = ratios(run, limit);
  rows.push([
    'Ratios: Herald ÷ baseline (1 activity / 1 local activity), ÷ limit',
    `${fmt(r.heraldOverBaseline, 2)}× / ${fmt(r.heraldOverLocalBaseline, 2)}×, ${fmt(r.heraldOverLimit, 4)}×`,
    '',
    '',
  ]);
  return rows;
}

function table(rows: Row[]): string {
  const header: Row = ['Benchmark', 'Figure', 'Target (issue 7)', ''];
  const all = [header, ...rows];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: Row) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function printReport(results: BenchResults, options: BenchOptions, environment: Record<string, unknown>): void {
  const out: string[] = [''];
  out.push(`Herald benchmark${options.quick ? ' (--quick)' : ''} — ${environment.cpus} × ${environment.cpuModel}, Node ${process.version}`);
  if (results.limit) {
    out.push('');
    out.push(
      table([
        [
          '1 Limit: sign + POST, bare loop',
          `${fmt(results.limit.requestsPerSecond, 0)} requests/s`,
          '',
          `(${results.limit.concurrency} in flight; CPU ms/request ${fmt(results.limit.cpuMsPerRequest.total, 3)})`,
        ],
      ]),
    );
  }
  for (const run of results.runs) {
    out.push('');
    out.push(
      `Temporal dev server ${run.temporal === 'file' ? 'file-backed, SQLite WAL (what `npm start` runs)' : 'in memory'} — ${run.servers ?? ''}:`,
    );
    out.push(table(runRows(run, results.limit)));
  }
  if (results.publishErrors?.count) {
    out.push('');
    out.push(`Publish errors (retried with the same event id): ${results.publishErrors.count}; last: ${results.publishErrors.last}`);
  }
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
}

export function environmentInfo(): Record<string, unknown> {
  const list = cpus();
  return { cpus: list.length, cpuModel: list[0]?.model ?? 'unknown CPU', node: process.version, platform: process.platform };
}

export function writeResults(dir: string, results: BenchResults, options: BenchOptions, environment: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}.json`);
  const json = {
    at: new Date().toISOString(),
    environment,
    options: { ...options, only: [...options.only] },
    targets: TARGETS,
    ...results,
    ratios: results.runs.map((run) => ({ temporal: run.temporal, ...ratios(run, results.limit) })),
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}
