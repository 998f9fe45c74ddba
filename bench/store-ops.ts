// How many MongoDB operations does one successful delivery cost? Counted on the wire: Herald talks to
// FerretDB through a counting TCP proxy that reads every request's command name and collection, so
// nothing in Herald is instrumented or changed. Prints the operations per event, by command and
// collection, for the publish (API) and the delivery (attempt activity) together.
//
//   npx tsx bench/store-ops.ts [events=200] [--producer]
//
// `--producer` publishes with a producer key naming the account (`account_id`) instead of the account's key.
//
// Starts its own embedded stack (Temporal dev server + FerretDB) in a temporary directory on free
// ports, and a receiver on 127.0.0.1 that answers 200. Events are published one at a time, each once
// the previous one arrived; counting starts after a warm-up and ends once the last attempt was recorded.

import { createServer, Socket } from 'node:net';
import { createHeraldClient } from '../src/client/index.js';
import { freePort } from '../src/dev-stack/processes.js';
import { startReceiver } from '../test/support/receiver.js';
import { startEmbeddedHerald } from './lib/embedded-herald.js';

const args = process.argv.slice(2);
const COUNT = Number(args.find((arg) => !arg.startsWith('--')) ?? 200);
const PRODUCER = args.includes('--producer');
const WARM_UP = 10;
const say = (line: string) => process.stdout.write(`${line}\n`);
/** Connection housekeeping, not work. */
const HOUSEKEEPING = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo']);

/** Counts of `${command} ${collection}` of every OP_MSG sent to the server. */
const counts = new Map<string, number>();
let counting = false;

/** The command name and its collection, from an OP_MSG's body section (kind 0): its first BSON element. */
function commandOf(message: Buffer): string | null {
  const OP_MSG = 2013;
  if (message.readInt32LE(12) !== OP_MSG || message[20] !== 0) return null;
  let at = 21 + 4; // kind byte, then the document's size
  const type = message[at++];
  const nameEnd = message.indexOf(0, at);
  const name = message.toString('utf8', at, nameEnd);
  let collection = '';
  if (type === 0x02) {
    const length = message.readInt32LE(nameEnd + 1);
    collection = message.toString('utf8', nameEnd + 5, nameEnd + 5 + length - 1);
  }
  return HOUSEKEEPING.has(name) ? null : `${name} ${collection}`.trim();
}

async function startCountingProxy(target: { host: string; port: number }): Promise<{ uri: string; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(target.port, target.host);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const size = pending.readInt32LE(0);
        const command = commandOf(pending.subarray(0, size));
        if (command && counting) counts.set(command, (counts.get(command) ?? 0) + 1);
        pending = pending.subarray(size);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('close', () => b.destroy());
      a.on('error', () => b.destroy());
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

let proxy: Awaited<ReturnType<typeof startCountingProxy>> | undefined;
const { herald, admin, newAccount, stop } = await startEmbeddedHerald({
  // Herald talks to the server through the counting proxy.
  mongodbUri: async (uri) => {
    const url = new URL(uri);
    proxy = await startCountingProxy({ host: url.hostname, port: Number(url.port) });
    return proxy.uri;
  },
});
try {
  const receiver = await startReceiver();
  const client = await newAccount();
  const webhook = await client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
  const publisher = PRODUCER
    ? createHeraldClient({ url: herald.url, apiKey: (await admin.producer_keys.create.mutate({ name: 'bench' })).producer_key })
    : client;
  const target = PRODUCER ? { account_id: webhook.account_id } : {};
  const data = { message: { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'], subject: 'bench' } };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

  const deliverOne = async () => {
    const before = receiver.requests.length;
    await publisher.events.publish.mutate({ type: 'message.received', data, ...target });
    await receiver.waitFor(before + 1);
  };

  for (let i = 0; i < WARM_UP; i++) await deliverOne();
  await settle();
  counting = true;
  for (let i = 0; i < COUNT; i++) await deliverOne();
  // The last attempt records after its POST was answered.
  await settle();
  counting = false;

  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  say(
    `MongoDB operations for ${COUNT} events${PRODUCER ? ' (published with a producer key)' : ''}, each delivered once (publish + attempt), by command and collection:`,
  );
  for (const [command, n] of rows) say(`  ${command.padEnd(40)} ${String(n).padStart(6)}  ${(n / COUNT).toFixed(2)} per event`);
  say(`  ${'total'.padEnd(40)} ${String(total).padStart(6)}  ${(total / COUNT).toFixed(2)} per event`);
  say(JSON.stringify({ events: COUNT, operationsPerEvent: Number((total / COUNT).toFixed(2)), byCommand: Object.fromEntries(rows) }));
  await receiver.close();
} finally {
  await stop();
  proxy?.close();
}
