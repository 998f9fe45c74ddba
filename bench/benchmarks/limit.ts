// 1. The limit: sign + POST in a bare loop (bench/limit-child.ts) to the local receiver → requests/s.
import { startChild } from '../lib/child.js';
import { meter, perUnit } from '../lib/meter.js';
import type { BenchReceiver } from '../lib/receiver.js';
import { round } from '../lib/stats.js';

export interface LimitResult {
  requestsPerSecond: number;
  requests: number;
  failed: number;
  durationMs: number;
  concurrency: number;
  cpuMsPerRequest: Record<string, number>;
}

export async function runLimit(receiver: BenchReceiver, options: { durationMs: number; concurrency: number }): Promise<LimitResult> {
  receiver.recordArrivals(false);
  receiver.reset();
  const child = startChild('bench/limit-child.ts', { url: `${receiver.url}/limit`, ...options });
  try {
    await child.next('ready');
    const cost = await meter({ sender: child.pid, receiver: -process.pid });
    child.send('go');
    const done = await child.next<{ sent: number; failed: number; elapsedMs: number }>('done', options.durationMs + 60_000);
    const { cpuMs } = await cost.stop();
    return {
      requestsPerSecond: round((done.sent / done.elapsedMs) * 1000, 0),
      requests: done.sent,
      failed: done.failed,
      durationMs: round(done.elapsedMs, 0),
      concurrency: options.concurrency,
      cpuMsPerRequest: perUnit(cpuMs, Math.max(1, done.sent), ['sender', 'receiver']),
    };
  } finally {
    await child.end();
    receiver.recordArrivals(true);
    receiver.reset();
  }
}
