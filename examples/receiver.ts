// A webhook receiver that verifies Herald's signatures, registered through the typed client.
//
//   HERALD_URL=http://127.0.0.1:3000 HERALD_API_KEY=hk_… npx tsx examples/receiver.ts
//
// It listens on 127.0.0.1:${PORT:-4000}, creates a webhook pointing at itself (a local http URL needs
// HERALD_ALLOW_PRIVATE_URLS=true on the Herald side; set RECEIVER_PUBLIC_URL to an https tunnel
// otherwise), asks Herald for a signed test event, prints every verified event, and deletes the
// webhook on Ctrl-C.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createHeraldClient, verifyWebhook } from 'herald/client';

export interface ExampleReceiver {
  webhookId: string;
  url: string;
  /** Deletes the webhook and stops listening. */
  close(): Promise<void>;
}

export async function startExampleReceiver(options: {
  heraldUrl: string;
  apiKey: string;
  port?: number;
  publicUrl?: string;
  onEvent(event: { event: string; event_id: string; [field: string]: unknown }): void;
}): Promise<ExampleReceiver> {
  const herald = createHeraldClient({ url: options.heraldUrl, apiKey: options.apiKey });
  let secret = '';

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Verify the raw body exactly as received, before parsing it.
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifyWebhook(body, req.headers, secret);
      if (!verified.ok) {
        res.writeHead(401).end(verified.error);
        return;
      }
      // Answer fast (2xx = delivered); the same webhook-id may arrive twice, so deduplicate on it if needed.
      res.writeHead(204).end();
      options.onEvent(JSON.parse(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = options.publicUrl ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;

  const webhook = await herald.webhooks.create.mutate({
    url,
    event_types: ['message.received', 'message.bounced'],
    name: 'example receiver',
  });
  // The secret is in this answer only: keep it (here in memory; in real life in your secret store).
  secret = webhook.secret ?? '';
  const test = await herald.webhooks.test.mutate({ webhook_id: webhook.id });
  if (!test.success) throw new Error(`the test event failed: ${test.error}`);

  return {
    webhookId: webhook.id,
    url,
    async close() {
      await herald.webhooks.delete.mutate({ webhook_id: webhook.id });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const apiKey = process.env.HERALD_API_KEY;
  if (!apiKey) {
    console.error('Set HERALD_API_KEY (an account key: accounts.create with the admin key prints one).');
    process.exit(2);
  }
  const receiver = await startExampleReceiver({
    heraldUrl: process.env.HERALD_URL ?? 'http://127.0.0.1:3000',
    apiKey,
    port: Number(process.env.PORT ?? 4000),
    publicUrl: process.env.RECEIVER_PUBLIC_URL,
    onEvent: (event) => process.stdout.write(`verified ${event.event} ${event.event_id}\n`),
  });
  process.stdout.write(`receiving at ${receiver.url} (webhook ${receiver.webhookId}); Ctrl-C to stop\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      receiver.close().then(() => process.exit(0));
    });
  }
}
