// publish→receive latency and history cost of one delivery, on the embedded stack `npm start` runs
// (file-backed Temporal dev server with WAL, FerretDB), in a throw-away data dir on free ports.
//   npx tsx bench/delivery-latency.ts [events=100]
// Events are published one at a time, each after the previous one arrived: this is latency without
// load (throughput is the benchmark suite's job). Prints a table and one JSON line.

import { performance } from 'node:perf_hooks';
import { deliveryWorkflowId } from '../src/temporal/workflow-ids.js';
import { startReceiver } from '../test/support/receiver.js';
import { startEmbeddedHerald } from './lib/embedded-herald.js';

const COUNT = Number(process.argv[2] ?? 100);
const WARM_UP = 10;
const say = (line: string) => process.stdout.write(`${line}\n`);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const { herald, newAccount, stop } = await startEmbeddedHerald({
  env: { ...process.env } as Record<string, string>,
  log: (msg) => say(`  ${msg}`),
});

try {
  const receiver = await startReceiver();
  const client = await newAccount();
  const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
  const data = { message: { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'], subject: 'bench' } };

  const endToEnd: number[] = [];
  const acknowledged: number[] = [];
  const eventIds: string[] = [];
  for (let i = 0; i < WARM_UP + COUNT; i++) {
    const before = receiver.requests.length;
    const t0 = performance.timeOrigin + performance.now();
    const event = await client.events.publish.mutate({ type: 'message.received', data });
    const acked = performance.timeOrigin + performance.now();
    const [request] = (await receiver.waitFor(before + 1)).slice(before);
    if (i < WARM_UP || !request) continue;
    eventIds.push(event.id);
    acknowledged.push(acked - t0);
    endToEnd.push(request.receivedAt - t0);
  }

  // History events of the successful deliveries (every one succeeded on its first attempt).
  const lengths = await Promise.all(
    eventIds.slice(0, 20).map(async (id) => {
      const handle = herald.deps.temporal.workflow.getHandle(deliveryWorkflowId(webhook.id, id));
      await handle.result();
      return (await handle.fetchHistory()).events?.length ?? 0;
    }),
  );

  const e2e = [...endToEnd].sort((a, b) => a - b);
  const ack = [...acknowledged].sort((a, b) => a - b);
  const row = (name: string, s: number[]) =>
    say(
      `${name.padEnd(28)} p50 ${quantile(s, 0.5).toFixed(1).padStart(6)} ms   p90 ${quantile(s, 0.9).toFixed(1).padStart(6)} ms   max ${(s.at(-1) ?? 0).toFixed(1).padStart(6)} ms`,
    );
  say(`\n${COUNT} events, one at a time, embedded stack (file-backed Temporal + FerretDB)`);
  row('publish → receiver got it', e2e);
  row('publish acknowledged', ack);
  say(`history events per successful delivery: ${[...new Set(lengths)].join(', ')}`);
  say(
    JSON.stringify({
      events: COUNT,
      publish_to_receive_ms: { p50: quantile(e2e, 0.5), p90: quantile(e2e, 0.9), max: e2e.at(-1) },
      publish_ack_ms: { p50: quantile(ack, 0.5), p90: quantile(ack, 0.9), max: ack.at(-1) },
      history_events_per_success: lengths[0],
    }),
  );
  await receiver.close();
} finally {
  await stop();
}
