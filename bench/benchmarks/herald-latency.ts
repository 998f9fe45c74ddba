// 3b. Herald at a fixed rate: events published on a schedule (open loop: a slow answer does not slow
// the schedule down) for a duration → publish→receive latency at the receiver, p50/p95/p99. An event
// not delivered by the end of the drain counts as infinitely late. A rate above what the system
// sustains only grows a queue: once either backlog (published but not yet delivered, or not yet
// acknowledged) exceeds MAX_BACKLOG_SECONDS of publishing, the phase stops early and is reported as
// overloaded (its latencies then say how far behind it was). Events go out through a lean producer (see
// leanPublisher), not the typed client: the producer shares the cores.
import { setTimeout as sleep } from 'node:timers/promises';
import { webhookMessageId } from '../../src/domain/ids.js';
import {
  completedDeliveries,
  firstArrivals,
  type HeraldBenchContext,
  heraldPids,
  SERVICE_PROCESSES,
  settle,
  waitIdle,
} from '../lib/context.js';
import { type BenchAccount, leanPublisher, publish, sampleMessage } from '../lib/herald.js';
import { meter, perUnit } from '../lib/meter.js';
import { round, type Summary, summarize } from '../lib/stats.js';

export interface LatencyResult {
  rate: number;
  durationMs: number;
  published: number;
  failedPublishes: number;
  delivered: number;
  /** publish call → POST at the receiver, ms. */
  latencyMs: Summary;
  /** publish call → API's answer, ms. */
  ackMs: Summary;
  cpuMsPerDelivery: Record<string, number>;
  /** Stopped early: more than MAX_BACKLOG_SECONDS worth of events were published but not delivered. */
  overloaded: boolean;
  /**
   * Publish→POST by when the events were published, per TIMELINE_WINDOW_MS: tells a steady queue
   * (every window alike) from a warm-up or a pause (a few windows).
   */
  timeline: { fromS: number; count: number; p50: number; p99: number }[];
}

const TICK_MS = 5;
const TIMELINE_WINDOW_MS = 5_000;
const MAX_BACKLOG_SECONDS = 10;

export async function runLatency(
  ctx: HeraldBenchContext,
  account: BenchAccount,
  options: { rate: number; durationMs: number; drainMs: number },
): Promise<LatencyResult> {
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const label = `lat${options.rate}-${Date.now().toString(36)}`;
  const publishedAt = new Map<string, number>();
  const ackMs: number[] = [];
  let failedPublishes = 0;
  await waitIdle(ctx);
  ctx.receiver.reset();
  const completedBefore = await completedDeliveries(ctx);
  const cost = await meter(heraldPids(ctx), ctx.mongo);

  const send = leanPublisher(account);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let overloaded = false;
  while (sent < total) {
    // Either backlog counts: POSTs no longer wait for Temporal's starts, so the receiver can keep up
    // while the acknowledgements (the starts) fall behind.
    if (Math.max(sent - ctx.receiver.count(), inFlight.size) > options.rate * MAX_BACKLOG_SECONDS) {
      overloaded = true;
      break;
    }
    const due = Math.min(total, Math.floor(((performance.now() - started) * options.rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const id = `${label}-${sent}`;
      const at = performance.now();
      publishedAt.set(id, at);
      const input = { type: 'message.received' as const, inbox_id: 'inbox_bench', data: sampleMessage(sent), event_id: id };
      const call = publish(account.client, input, send)
        .then(
          () => {
            ackMs.push(performance.now() - at);
          },
          () => {
            failedPublishes++;
          },
        )
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    await sleep(TICK_MS);
  }
  const scheduleMs = performance.now() - started;
  await Promise.all(inFlight);
  await ctx.receiver.waitForCount(sent, options.drainMs);
  await settle(ctx, completedBefore + ctx.receiver.count(), options.drainMs);
  const measured = await cost.stop();

  const { first } = firstArrivals(ctx.receiver.arrivals());
  const arrivalById = new Map([...first].map(([key, at]) => [key.slice(key.indexOf(' ') + 1), at]));
  const latencyOf = (id: string, at: number) => {
    // Arrivals are keyed by `webhook-id`, which Herald derives from (account, event id).
    const arrived = arrivalById.get(webhookMessageId(account.accountId, id));
    return arrived === undefined ? Number.POSITIVE_INFINITY : arrived - at;
  };
  const latencies = [...publishedAt].map(([id, at]) => latencyOf(id, at));
  const windows = new Map<number, number[]>();
  for (const [id, at] of publishedAt) {
    const window = Math.floor((at - started) / TIMELINE_WINDOW_MS);
    const values = windows.get(window) ?? [];
    values.push(latencyOf(id, at));
    windows.set(window, values);
  }
  const rounded = (s: Summary): Summary => ({
    count: s.count,
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    mean: round(s.mean),
  });
  return {
    rate: options.rate,
    durationMs: round(scheduleMs, 0),
    published: sent,
    failedPublishes,
    delivered: arrivalById.size,
    latencyMs: rounded(summarize(latencies)),
    ackMs: rounded(summarize(ackMs)),
    cpuMsPerDelivery: perUnit(measured.cpuMs, Math.max(1, arrivalById.size), SERVICE_PROCESSES),
    overloaded,
    timeline: [...windows].map(([window, values]) => {
      const s = summarize(values);
      return { fromS: (window * TIMELINE_WINDOW_MS) / 1000, count: s.count, p50: round(s.p50), p99: round(s.p99) };
    }),
  };
}
