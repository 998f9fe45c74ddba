// Rate limits (issue 14, item 5), per process: each Herald process keeps its own token buckets in
// memory, so N API processes behind a balancer allow up to N times each limit. That bounds what one
// key can make one process do (and what a batch of `webhooks.test` calls can make Herald send), which is
// the point; a cluster-wide quota would need a shared store and a round trip per call.
//
// The API limit counts every procedure call (a tRPC batch of 20 takes 20 tokens), keyed by who calls:
// an account's keys share the account's bucket (so minting keys does not raise it), the admin key has
// its own, and a producer key is limited per target account with its own setting. Anonymous calls
// (event_types.list, wrong keys) are not limited here.
import { TRPCError } from '@trpc/server';
import type { Config } from '../config/env.js';
import { createTokenBuckets, type TokenBuckets } from '../domain/token-bucket.js';
import type { Caller } from './context.js';
import { ErrorReason } from './trpc.js';

export interface RateLimits {
  /** The API limit, for one procedure call: a 429 `rate_limited` when its bucket is empty. */
  call(caller: Caller, rawInput: unknown): void;
  /** One outbound `webhooks.test` send: both buckets must have a token, or neither is charged. */
  testSend(accountId: string, webhookId: string): void;
}

/** Which bucket a caller's calls come out of. */
export interface RateLimitKey {
  limit: 'account' | 'producer';
  key: string;
}

/** The reason of a 429, with the wait that becomes the `Retry-After` header (whole seconds, at least 1). */
export class RateLimited extends ErrorReason {
  readonly retryAfterSeconds: number;
  constructor(waitMs: number) {
    super('rate_limited');
    this.retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  }
}

export function rateLimitedError(what: string, waitMs: number): TRPCError {
  const cause = new RateLimited(waitMs);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `${what}; retry in ${cause.retryAfterSeconds} s`, cause });
}

/** The `Retry-After` of an error, if it is a rate limit's 429. */
export function retryAfterOf(error: TRPCError): number | undefined {
  return error.cause instanceof RateLimited ? error.cause.retryAfterSeconds : undefined;
}

/**
 * The bucket of a call, from its caller and raw input (read before validation; the producer's target
 * account is in its input).
 */
export function rateLimitKey(caller: Caller, rawInput: unknown): RateLimitKey | undefined {
  // MERGE HOOK (producers): live already; once `Caller` has `{ kind: 'producer' }` this can become a `case 'producer':`.
  if ((caller.kind as string) === 'producer') return producerRateLimitKey(rawInput);
  switch (caller.kind) {
    case 'account':
      return { limit: 'account', key: `account:${caller.accountId}` };
    case 'admin':
      return { limit: 'account', key: 'admin' };
    default:
      return undefined;
  }
}

/** A producer's calls are limited per target account (`account_id` of its input). */
export function producerRateLimitKey(rawInput: unknown): RateLimitKey {
  const target = (rawInput as { account_id?: unknown } | null | undefined)?.account_id;
  // An input without a usable account_id is refused by validation anyway; its calls share one bucket.
  const account = typeof target === 'string' && target.length <= 64 ? target : '?';
  return { limit: 'producer', key: `producer:${account}` };
}

export function createRateLimits(config: Config['rateLimits'], now?: () => number): RateLimits {
  if (!config.enabled) return { call() {}, testSend() {} };
  const buckets: Record<RateLimitKey['limit'], TokenBuckets> = {
    account: createTokenBuckets(config.perAccount, now),
    producer: createTokenBuckets(config.producerPerAccount, now),
  };
  const perWebhook = createTokenBuckets(config.testPerWebhook, now);
  const perAccount = createTokenBuckets(config.testPerAccount, now);
  return {
    call(caller, rawInput) {
      const key = rateLimitKey(caller, rawInput);
      if (!key) return;
      const wait = buckets[key.limit].take(key.key);
      if (wait > 0) throw rateLimitedError('Too many requests for this key', wait);
    },
    testSend(accountId, webhookId) {
      const wait = Math.max(perWebhook.waitMs(webhookId), perAccount.waitMs(accountId));
      if (wait > 0) throw rateLimitedError('Too many test sends for this webhook or account', wait);
      perWebhook.take(webhookId);
      perAccount.take(accountId);
    },
  };
}
