// The request context. `createContextInner` knows nothing of HTTP, so procedures can be called
// in-process (createCaller) with the same auth rules the HTTP server applies.
import { timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { HttpSender } from '../../activities/http-post.js';
import type { Config } from '../config/env.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AccountVersion } from '../store/account-versions.js';
import type { CatalogueVersion } from '../store/catalogue-version.js';
import type { Store } from '../store/index.js';
import { isPortalSessionToken } from '../store/portal-repo.js';
import { isProducerKey } from '../store/producer-keys-repo.js';
import type { DispatchDeps } from '../temporal/dispatch.js';
import type { WebhookLifecycle } from '../temporal/webhook-lifecycle.js';
import type { RateLimits } from './rate-limit.js';
import { unavailableError } from './trpc.js';

export interface AppDeps {
  config: Config;
  adminApiKey: string;
  store: Store;
  temporal: Client;
  dispatch: DispatchDeps;
  lifecycle: WebhookLifecycle;
  /** The delivery activity's HTTP sender, shared with `webhooks.test` (same timeout, SSRF check). */
  sender: HttpSender;
  log: Logger;
  /** This process's token buckets: the API limit per caller and the test-send limits. */
  rateLimits: RateLimits;
  /** Prometheus metrics (HERALD_METRICS; `/metrics` is mounted by server.ts); absent: none. */
  metrics?: Metrics;
}

/**
 * `version`: the account's version as read to authenticate this request (a publish matches with it).
 * `producer`: a producer key, which may only publish, for the account its input names.
 */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'admin' }
  | {
      kind: 'account';
      accountId: string;
      version: AccountVersion;
      /** The event catalogue's version, read with the account's. */
      catalogue: CatalogueVersion;
      /** The key's hash: its rate-limit bucket. */
      keyHash: string;
      /** A consumer portal session (docs/portal.md): the account, limited to the portal's procedures (trpc.ts). */
      portal?: true;
    }
  | { kind: 'producer'; producerKeyId: string };

/** What a procedure may read of the HTTP request, whichever face (tRPC or REST) it came through. */
export interface RequestInfo {
  /** The `Idempotency-Key` header, as sent (validated by the procedures that honour it). */
  idempotencyKey?: string;
  /** The `Host` header: a portal link's base URL when HERALD_PUBLIC_URL is unset. */
  host?: string;
}

export interface Context {
  deps: AppDeps;
  caller: Caller;
  request: RequestInfo;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function createContextInner(deps: AppDeps, apiKey: string | undefined, request: RequestInfo = {}): Promise<Context> {
  if (!apiKey) return { deps, caller: { kind: 'anonymous' }, request };
  if (sameSecret(apiKey, deps.adminApiKey)) return { deps, caller: { kind: 'admin' }, request };
  // The key is checked before any procedure runs, so its middleware cannot map this failure.
  if (isProducerKey(apiKey)) {
    const producer = await deps.store.producerKeys.authenticate(apiKey).catch((error: unknown) => {
      throw unavailableError(error) ?? error;
    });
    return { deps, caller: producer ? { kind: 'producer', producerKeyId: producer.keyId } : { kind: 'anonymous' }, request };
  }
  if (isPortalSessionToken(apiKey)) {
    const session = await deps.store.portal.authenticate(apiKey).catch((error: unknown) => {
      throw unavailableError(error) ?? error;
    });
    return { deps, caller: session ? { kind: 'account', ...session, portal: true } : { kind: 'anonymous' }, request };
  }
  const account = await deps.store.accounts.authenticate(apiKey).catch((error: unknown) => {
    throw unavailableError(error) ?? error;
  });
  return { deps, caller: account ? { kind: 'account', ...account } : { kind: 'anonymous' }, request };
}

type HeaderValue = string | string[] | null | undefined;

/** The request facts a context needs, from Node's or fetch's headers. */
export function requestInfo(header: (name: string) => HeaderValue): { apiKey: string | undefined; request: RequestInfo } {
  const first = (value: HeaderValue) => (Array.isArray(value) ? value[0] : (value ?? undefined));
  return {
    apiKey: bearerToken(first(header('authorization'))),
    request: { idempotencyKey: first(header('idempotency-key')), host: first(header('host')) },
  };
}

/** `Authorization: Bearer <key>` → the key, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
