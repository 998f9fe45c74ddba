// The request context. `createContextInner` knows nothing of HTTP, so procedures can be called
// in-process (createCaller) with the same auth rules the HTTP server applies.
import { timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/env.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import type { DispatchDeps } from '../temporal/dispatch.js';
import type { WebhookLifecycle } from '../temporal/webhook-lifecycle.js';

export interface AppDeps {
  config: Config;
  adminApiKey: string;
  store: Store;
  temporal: Client;
  dispatch: DispatchDeps;
  lifecycle: WebhookLifecycle;
  log: Logger;
}

export type Caller = { kind: 'anonymous' } | { kind: 'admin' } | { kind: 'account'; accountId: string };

export interface Context {
  deps: AppDeps;
  caller: Caller;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function createContextInner(deps: AppDeps, apiKey: string | undefined): Promise<Context> {
  if (!apiKey) return { deps, caller: { kind: 'anonymous' } };
  if (sameSecret(apiKey, deps.adminApiKey)) return { deps, caller: { kind: 'admin' } };
  const accountId = await deps.store.accounts.authenticate(apiKey);
  return { deps, caller: accountId ? { kind: 'account', accountId } : { kind: 'anonymous' } };
}

/** `Authorization: Bearer <key>` → the key, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
