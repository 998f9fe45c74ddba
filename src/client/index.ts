// The typed client for TypeScript callers (often AI agents): every procedure, its input and output
// types straight from the server's router. Calls made in the same tick are batched into one request.
import { createTRPCClient, httpBatchLink, httpLink, splitLink } from '@trpc/client';
import type { AppRouter } from '../api/router.js';

export type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
export type { AppRouter } from '../api/router.js';
export type { VerifyResult } from '../domain/signing.js';
export { verifyWebhook } from './verify-webhook.js';

export interface HeraldClientOptions {
  /** Herald's base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  apiKey: string;
  /**
   * Most calls per batched request (default 20, the server's default `HERALD_MAX_BATCH`): more calls in
   * one tick go out as several requests. Set it to the server's value if that is lower.
   */
  maxBatch?: number;
}

/** The server's default `HERALD_MAX_BATCH`. */
export const DEFAULT_MAX_BATCH = 20;

/**
 * `createHeraldClient({ url, apiKey })`. To make a create idempotent across retries, pass a key per
 * call: `client.webhooks.create.mutate(input, { context: { idempotencyKey: 'my-key' } })` — such calls
 * go unbatched, since a header belongs to one whole HTTP request.
 */
export function createHeraldClient({ url, apiKey, maxBatch = DEFAULT_MAX_BATCH }: HeraldClientOptions) {
  const endpoint = `${url.replace(/\/$/, '')}/trpc`;
  const authorization = `Bearer ${apiKey}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => typeof op.context.idempotencyKey === 'string',
        true: httpLink({
          url: endpoint,
          headers: ({ op }) => ({ authorization, 'idempotency-key': String(op.context.idempotencyKey) }),
        }),
        false: httpBatchLink({ url: endpoint, maxItems: maxBatch, headers: () => ({ authorization }) }),
      }),
    ],
  });
}

export type HeraldClient = ReturnType<typeof createHeraldClient>;
