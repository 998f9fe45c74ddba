// The typed client for TypeScript callers (often AI agents): every procedure, its input and output
// types straight from the server's router.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../api/router.js';

export type { AppRouter } from '../api/router.js';
export { verifyWebhook } from './verify-webhook.js';

export interface HeraldClientOptions {
  /** Herald's base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  apiKey: string;
}

export function createHeraldClient({ url, apiKey }: HeraldClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url.replace(/\/$/, '')}/trpc`,
        headers: () => ({ authorization: `Bearer ${apiKey}` }),
      }),
    ],
  });
}

export type HeraldClient = ReturnType<typeof createHeraldClient>;
