// A real HTTP receiver on 127.0.0.1 for integration tests: records every request and answers with
// whatever the test scripts (a status, headers, a delay, or a dropped connection).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  /** The request's path (webhooks of one test often share a receiver, one path each). */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { hangMs: number }
  | { destroy: true };

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Decides the answer to the n-th request (0-based); default 200. */
  reply: (n: number, request: ReceivedRequest) => Reply;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** `port` lets a test bring a receiver back on the address its webhooks already point to (an outage). */
export async function startReceiver(
  reply: Receiver['reply'] = () => ({ status: 200 }),
  options: { port?: number } = {},
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    requests,
    reply,
    waitFor(count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(requests);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver got ${requests.length} of ${count} requests in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      const n = requests.length;
      requests.push(request);
      for (const waiter of [...waiters]) waiter();
      const answer = receiver.reply(n, request);
      if ('destroy' in answer) {
        req.socket.destroy();
      } else if ('hangMs' in answer) {
        setTimeout(() => res.writable && res.end(), answer.hangMs).unref();
      } else {
        const send = () => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body ?? 'ok');
        };
        answer.delayMs ? setTimeout(send, answer.delayMs) : send();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
