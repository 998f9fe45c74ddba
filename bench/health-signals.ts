// How many signals does a healthy webhook's health workflow receive for N successful deliveries?
// (The design says none: the health workflow is off the hot path.) Counted from the workflow's
// history, every run of its continue-as-new chain; a few failures are added at the end as a control,
// to show that the count would see signals if there were any.
//
//   npx tsx bench/health-signals.ts [deliveries=1000] [concurrency=16]
//
// Starts its own embedded stack (Temporal dev server + FerretDB) on free ports in a temporary
// directory, and a receiver on 127.0.0.1.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthWorkflowId } from '../src/temporal/workflow-ids.js';
import { startEmbeddedHerald } from './lib/embedded-herald.js';

const deliveries = Number(process.argv[2] ?? 1_000);
const concurrency = Number(process.argv[3] ?? 16);
const FAILURES = 3;
const say = (msg: string) => process.stdout.write(`${msg}\n`);

const { herald, newAccount, stop } = await startEmbeddedHerald({ env: { HERALD_RETRY_SCHEDULE: '200ms,200ms,200ms' } });

let received = 0;
let failNext = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    const fail = failNext > 0;
    if (fail) failNext--;
    res.writeHead(fail ? 500 : 200).end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

async function signalsReceived(webhookId: string): Promise<{ signals: number; runs: number; events: number }> {
  let runId: string | undefined;
  const totals = { signals: 0, runs: 0, events: 0 };
  for (;;) {
    const history = await herald.deps.temporal.workflow.getHandle(healthWorkflowId(webhookId), runId).fetchHistory();
    const events = history.events ?? [];
    totals.runs++;
    totals.events += events.length;
    totals.signals += events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) return totals;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  const client = await newAccount();
  const webhook = await client.webhooks.create.mutate({ url: receiverUrl, event_types: ['message.received'] });
  const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < deliveries) {
        next++;
        await client.events.publish.mutate({ type: 'message.received', data: { message } });
      }
    }),
  );
  await waitUntil(() => received >= deliveries, `${deliveries} deliveries`);
  const seconds = (performance.now() - started) / 1000;
  const healthy = await signalsReceived(webhook.id);

  // Control: failures are reported (one signal each), and so is the first success after them.
  failNext = FAILURES;
  await client.events.publish.mutate({ type: 'message.received', data: { message } });
  await waitUntil(() => received >= deliveries + FAILURES + 1, 'the control delivery');
  await waitUntil(async () => (await signalsReceived(webhook.id)).signals >= FAILURES + 1, 'the control signals', 30_000);
  const control = await signalsReceived(webhook.id);

  say(
    `successful deliveries to one webhook: ${deliveries} in ${seconds.toFixed(1)} s (${(deliveries / seconds).toFixed(0)}/s, ${concurrency} publishers)`,
  );
  say(`health workflow signals for them:     ${healthy.signals}  (history: ${healthy.events} events in ${healthy.runs} run(s))`);
  say(`control, ${FAILURES} failures + 1 recovery:     ${control.signals - healthy.signals} signals`);
} finally {
  receiver.close();
  await stop();
}
