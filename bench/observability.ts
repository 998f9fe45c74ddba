// `npm run bench:observability`: what metrics and tracing cost per delivery. Herald (src/main.ts, a child
// process) runs the same load with HERALD_METRICS=off, with metrics on, and with metrics and tracing on
// (OTLP/HTTP protobuf to a local sink in this process), in alternating rounds on one stack, so that the
// noise of a shared machine lands on every mode alike. Reports the CPU ms per delivery of the Herald
// process (and of Herald + Temporal + MongoDB) per round, and the median and spread of each mode's
// overhead against the same round's `off` run.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack } from '../test/support/stack.js';
import { createAccount, leanPublisher, pool, publish, sampleMessage, startHeraldUnderTest } from './lib/herald.js';
import { meter } from './lib/meter.js';
import { startBenchReceiver } from './lib/receiver.js';
import { round } from './lib/stats.js';

const log = (msg: string) => process.stdout.write(`[bench:observability] ${msg}\n`);
const ROUNDS = Number(process.env.BENCH_OBS_ROUNDS ?? 4);
const EVENTS = Number(process.env.BENCH_OBS_EVENTS ?? 600);
const WARMUP = Number(process.env.BENCH_OBS_WARMUP ?? 150);
const CONCURRENCY = Number(process.env.BENCH_OBS_CONCURRENCY ?? 8);

type Mode = 'off' | 'metrics' | 'tracing';
const MODES: Mode[] = ['off', 'metrics', 'tracing'];

/** A local OTLP/HTTP sink: reads each export and answers 200, counting bytes. */
async function startOtlpSink(): Promise<{ url: string; bytes: () => number; close(): Promise<void> }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: () => bytes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const stack = await startStack({ temporal: 'memory', log });
  const receiver = await startBenchReceiver();
  const sink = await startOtlpSink();
  const results: Array<{ round: number; mode: Mode; heraldMs: number; totalMs: number; perSecond: number }> = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order each round, so that no mode always runs first (or last) in a round.
      const order = MODES.map((_, i) => MODES[(i + r) % MODES.length] as Mode);
      for (const mode of order) {
        const env: Record<string, string> = { HERALD_METRICS: mode === 'off' ? 'off' : 'on' };
        if (mode === 'tracing') env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
        const herald = await startHeraldUnderTest(stack, { maxWebhooks: 10, env });
        try {
          const label = `obs${r}${mode}`;
          const account = await createAccount(herald, label, receiver.url, 1, 'message.received');
          const send = leanPublisher(account);
          const run = async (prefix: string, n: number) => {
            receiver.reset();
            await pool(n, CONCURRENCY, (i) =>
              publish(account.client, { type: 'message.received', data: sampleMessage(i), event_id: `${prefix}-${i}` }, send),
            );
            if (!(await receiver.waitForCount(n, 120_000))) throw new Error(`${mode}: ${receiver.count()} of ${n} deliveries arrived`);
          };
          await run(`${label}-warm`, WARMUP);
          await sleep(1_500);
          const pids = { herald: herald.process.pid, temporal: stack.temporalPid(), mongodb: stack.mongodbPid() };
          const cost = await meter(pids);
          const started = performance.now();
          await run(label, EVENTS);
          const elapsed = performance.now() - started;
          // The workflows' last tasks and the batched span exports finish within this.
          await sleep(1_500);
          const { cpuMs } = await cost.stop();
          const heraldMs = (cpuMs.herald ?? 0) / EVENTS;
          const totalMs = ((cpuMs.herald ?? 0) + (cpuMs.temporal ?? 0) + (cpuMs.mongodb ?? 0)) / EVENTS;
          results.push({ round: r + 1, mode, heraldMs, totalMs, perSecond: (EVENTS / elapsed) * 1000 });
          log(
            `round ${r + 1} ${mode.padEnd(7)} herald ${heraldMs.toFixed(3)} ms/delivery, all ${totalMs.toFixed(3)}, ${((EVENTS / elapsed) * 1000).toFixed(0)}/s`,
          );
        } finally {
          await herald.stop();
        }
      }
    }
  } finally {
    await Promise.allSettled([receiver.close(), sink.close()]);
    await stack.stop();
  }

  const lines: string[] = [];
  lines.push(
    `${ROUNDS} rounds × ${MODES.join('/')} (order rotating), ${EVENTS} deliveries each (1 webhook, concurrency ${CONCURRENCY}); OTLP sink got ${sink.bytes()} bytes`,
  );
  lines.push('| round | off (herald / all ms) | metrics | tracing | metrics vs off (herald) | tracing vs off (herald) |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  const overhead: Record<'metrics' | 'tracing', { herald: number[]; total: number[] }> = {
    metrics: { herald: [], total: [] },
    tracing: { herald: [], total: [] },
  };
  for (let r = 1; r <= ROUNDS; r++) {
    const of = (mode: Mode) => results.find((x) => x.round === r && x.mode === mode);
    const off = of('off');
    const cells = MODES.map((mode) => {
      const x = of(mode);
      return x ? `${x.heraldMs.toFixed(3)} / ${x.totalMs.toFixed(3)}` : '–';
    });
    const pct = (mode: 'metrics' | 'tracing') => {
      const x = of(mode);
      if (!x || !off) return '–';
      const h = (x.heraldMs / off.heraldMs - 1) * 100;
      const t = (x.totalMs / off.totalMs - 1) * 100;
      overhead[mode].herald.push(h);
      overhead[mode].total.push(t);
      return `${h >= 0 ? '+' : ''}${h.toFixed(1)} % (all ${t >= 0 ? '+' : ''}${t.toFixed(1)} %)`;
    };
    lines.push(`| ${r} | ${cells.join(' | ')} | ${pct('metrics')} | ${pct('tracing')} |`);
  }
  for (const mode of ['metrics', 'tracing'] as const) {
    const { herald, total } = overhead[mode];
    lines.push(
      `${mode} vs off: herald CPU/delivery median ${round(median(herald), 1)} % (range ${round(Math.min(...herald), 1)} … ${round(Math.max(...herald), 1)} %); ` +
        `herald+temporal+mongodb median ${round(median(total), 1)} % (range ${round(Math.min(...total), 1)} … ${round(Math.max(...total), 1)} %)`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
