// The benchmark's webhook receiver: keep-alive HTTP on 127.0.0.1 that answers 204 at once and only
// timestamps arrivals (performance.now(), the clock the publisher uses too). Lean on purpose: the
// limit benchmark pushes tens of thousands of requests a second through it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  /** The `webhook-id` header (derived from the account and the event id: `webhookMessageId`). */
  id: string;
  path: string;
  at: number;
}

export interface BenchReceiver {
  url: string;
  /** Requests since the last reset. */
  count(): number;
  arrivals(): readonly Arrival[];
  /** Stop recording individual arrivals (counting only), e.g. for the limit loop. */
  recordArrivals(on: boolean): void;
  reset(): void;
  waitForCount(count: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  let count = 0;
  let record = true;
  let arrivals: Arrival[] = [];
  let waiters: Array<{ count: number; resolve: (ok: boolean) => void }> = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      if (record) arrivals.push({ id: String(req.headers['webhook-id'] ?? ''), path: req.url ?? '/', at: performance.now() });
      res.writeHead(204).end();
      if (waiters.length > 0) {
        waiters = waiters.filter((w) => {
          if (count < w.count) return true;
          w.resolve(true);
          return false;
        });
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    arrivals: () => arrivals,
    recordArrivals(on) {
      record = on;
    },
    reset() {
      count = 0;
      arrivals = [];
    },
    waitForCount(target, timeoutMs) {
      if (count >= target) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = { count: target, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          resolve(count >= target);
        }, timeoutMs).unref();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
