// Benchmark 1, the limit: what this machine does without Temporal or MongoDB. A bare loop builds the
// same envelope, signs it (Standard Webhooks) and POSTs it with Herald's own sender (undici, keep-alive)
// to the local receiver, with a fixed number in flight. Input: { url, durationMs, concurrency }.
import { createHttpSender } from '../activities/http-post.js';
import { buildEnvelope } from '../src/domain/envelope.js';
import { generateSecret, signedHeaders } from '../src/domain/signing.js';
import { nextLine, report } from './lib/child.js';

const { url, durationMs, concurrency } = JSON.parse(process.argv[2] ?? '{}') as { url: string; durationMs: number; concurrency: number };
const sender = createHttpSender({ timeoutMs: 15_000, policy: { allowPrivate: true, allowedNetworks: undefined } });
const secret = generateSecret();
const event = {
  type: 'message.received',
  account_id: 'acc_01BENCH',
  inbox_id: 'inbox_bench',
  pod_id: null,
  data: { message: { id: 'msg_bench', from: 'sender@example.com', to: ['agent@example.com'], subject: 'Benchmark' } },
  created_at: new Date(),
};

report('ready');
if ((await nextLine()) !== 'go') process.exit(1);
let sent = 0;
let failed = 0;
const started = performance.now();
const deadline = started + durationMs;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const id = `evt_${sent}`;
      const body = buildEnvelope({ ...event, id });
      const headers = signedHeaders([secret], id, Math.floor(Date.now() / 1000), body);
      const response = await sender.post(url, { ...headers }, body);
      if (response.statusCode !== null && response.statusCode < 300) sent++;
      else failed++;
    }
  }),
);
const elapsedMs = performance.now() - started;
report('done', { sent, failed, elapsedMs });
await sender.close();
