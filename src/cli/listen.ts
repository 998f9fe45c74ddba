// `herald listen --forward-to <local URL>` (docs/cli.md): a temporary webhook whose deliveries come to this
// CLI through the connection it holds (a tRPC subscription over SSE), so Herald needs no way in to the
// developer's machine. Each request is forwarded to the local URL with the same body and Standard Webhooks
// headers (the developer's own verification runs unchanged), and the local answer goes back as the
// attempt's outcome: a local 500 is a failed attempt that Herald retries. Ctrl-C deletes the webhook.
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '../api/router.js';

export interface ListenOptions {
  url: string;
  apiKey: string;
  forwardTo: string;
  eventTypes?: string[];
  inboxIds?: string[];
}

/** What the CLI keeps of the local answer's body (Herald keeps 16 KiB of it). */
const BODY_LIMIT = 16 * 1024;
/** The local URL's time to answer; Herald's own attempt timeout bounds the whole relay anyway. */
const FORWARD_TIMEOUT_MS = 30_000;

/** A client whose subscriptions go over SSE (the shared typed client batches over plain HTTP only). */
export function listenClient({ url, apiKey }: Pick<ListenOptions, 'url' | 'apiKey'>) {
  const endpoint = `${url.replace(/\/$/, '')}/trpc`;
  const authorization = `Bearer ${apiKey}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // EventSource cannot send headers; this one takes a fetch that adds the key.
        true: httpSubscriptionLink({
          url: endpoint,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input: string | URL, init?: RequestInit) =>
              fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization } }),
          }),
        }),
        false: httpLink({ url: endpoint, headers: () => ({ authorization }) }),
      }),
    ],
  });
}

interface Relayed {
  request_id: string;
  event_id: string;
  event_type: string;
  headers: Record<string, string>;
  body: string;
}

/** POSTs one relayed request to the local URL: its answer, or why there was none. */
async function forward(forwardTo: string, request: Relayed) {
  const started = performance.now();
  try {
    const response = await fetch(forwardTo, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    const body = (await response.text()).slice(0, BODY_LIMIT);
    return { status_code: response.status, body, error: null, duration_ms: Math.round(performance.now() - started) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const message = cause ?? (error as Error).message;
    return { status_code: null, body: null, error: message, duration_ms: Math.round(performance.now() - started) };
  }
}

/** Runs until SIGINT/SIGTERM (resolves 0 once the webhook is deleted) or until the connection fails for good (1). */
export async function listen(options: ListenOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  // Installed first: a Ctrl-C at any moment from here on ends the session properly (a second one kills).
  let stopNow: (() => void) | undefined;
  let signalled = false;
  const onSignal = () => {
    signalled = true;
    stopNow?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const client = listenClient(options);
  const started = await client.listen.start.mutate({
    forward_to: options.forwardTo,
    ...(options.eventTypes ? { event_types: options.eventTypes } : {}),
    ...(options.inboxIds ? { inbox_ids: options.inboxIds } : {}),
  });
  const sessionId = started.session_id;

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      subscription.unsubscribe();
      try {
        await client.listen.stop.mutate({ session_id: sessionId });
        out.write(`Stopped: webhook ${started.webhook.id} deleted.\n`);
      } catch (error) {
        process.stderr.write(`could not delete webhook ${started.webhook.id}: ${(error as Error).message}\n`);
        code = 1;
      }
      resolve(code);
    };
    const subscription = client.listen.requests.subscribe(
      { session_id: sessionId },
      {
        onData: async (request) => {
          const answer = await forward(options.forwardTo, request);
          const outcome = answer.status_code === null ? `error ${answer.error}` : String(answer.status_code);
          out.write(`${new Date().toISOString()}  ${request.event_type}  ${request.event_id}  → ${outcome} (${answer.duration_ms} ms)\n`);
          await client.listen.respond
            .mutate({ session_id: sessionId, request_id: request.request_id, ...answer })
            .catch((error: Error) => process.stderr.write(`could not answer ${request.request_id}: ${error.message}\n`));
        },
        onError: (error) => {
          process.stderr.write(`herald listen: ${error.message}\n`);
          void stop(1);
        },
      },
    );
    stopNow = () => void stop(0);
    out.write(
      `Ready: webhook ${started.webhook.id} (temporary) forwards ${started.webhook.event_types.join(', ')} to ${options.forwardTo}\n` +
        `Signing secret: ${started.secret}\n` +
        'Ctrl-C stops and deletes the webhook.\n',
    );
    if (signalled) stopNow();
  });
}
