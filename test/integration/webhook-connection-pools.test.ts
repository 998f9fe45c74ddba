// The HTTP sender gives every webhook its own connection pool (issue 14, item 6): a webhook whose endpoint
// hangs holds at most HERALD_CONNECTIONS_PER_WEBHOOK connections, and another webhook's request to the
// same host goes out on its own pool while all of those are taken. Against a real receiver; proved by
// what the receiver holds open, not by timing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpSender, type HttpSender, PostCancelledError, type PostResult } from '../../activities/http-post.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const CONNECTIONS = 2;

let receiver: Receiver;
let sender: HttpSender;
beforeAll(async () => {
  receiver = await startReceiver((_n, request) => (request.path === '/slow' ? { hangMs: 3_600_000 } : { status: 200 }));
  sender = createHttpSender({ timeoutMs: 600_000, policy: { allowPrivate: true }, connectionsPerWebhook: CONNECTIONS });
});
afterAll(async () => {
  await sender?.close();
  await receiver?.close();
});

const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);

it("bounds one webhook's connections, and another webhook's request to the same host goes out meanwhile", async () => {
  const hanging: Promise<PostResult>[] = Array.from({ length: 10 }, () =>
    sender.post(`${receiver.url}/slow`, {}, '{}', undefined, { pool: 'wh_slow' }),
  );
  const settled = hanging.map((p) =>
    p.then(
      () => 'answered',
      (error) => error,
    ),
  );
  await expect.poll(() => requestsTo('/slow').length, { timeout: 10_000, interval: 20 }).toBe(CONNECTIONS);

  // Every connection of the slow webhook is taken; another webhook on the same host is not held up.
  const other = await sender.post(`${receiver.url}/fast`, {}, '{}', undefined, { pool: 'wh_fast' });
  expect(other.statusCode).toBe(200);
  // No more of the slow webhook's requests got through than its pool allows (none has been answered).
  expect(requestsTo('/slow')).toHaveLength(CONNECTIONS);

  // Closing the sender abandons what is in flight or queued: a cancellation, not a failed attempt to record.
  await sender.close();
  for (const outcome of await Promise.all(settled)) expect(outcome).toBeInstanceOf(PostCancelledError);
});
