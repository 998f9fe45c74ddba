// Rate limits (issue 14, item 5), per process: each Herald process keeps its own token buckets in
// memory, so N API processes behind a balancer allow up to N times each limit. That bounds what one
// key can make one process do (and what a batch of `webhooks.test` calls can make Herald send), which is
// the point; a cluster-wide quota would need a shared store and a round trip per call.
//
// The API limit counts every procedure call (a tRPC batch of 20 takes 20 tokens), keyed by who calls:
// each account API key has its own bucket (by the key's hash), the admin key has its own, and producer
// keys are limited per target account with their own setting (one platform key serves every account, so
// one busy account must not use up the others' share). Anonymous calls (event_types.list, wrong keys) are
// not limited here.
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
  limit: 'key' | 'producer';
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
  switch (caller.kind) {
    case 'account':
      return { limit: 'key', key: `key:${caller.keyHash}` };
    case 'admin':
      return { limit: 'key', key: 'admin' };
    case 'producer':
      return producerRateLimitKey(rawInput);
    default:
      return undefined;
  }
}

/** A producer's calls are limited per target account (`account_id` or `account_external_id` of its input). */
export function producerRateLimitKey(rawInput: unknown): RateLimitKey {
  const input = rawInput as { account_id?: unknown; account_external_id?: unknown } | null | undefined;
  const usable = (value: unknown) => typeof value === 'string' && value.length <= 255;
  // An input without a usable account reference is refused by validation anyway; its calls share one bucket.
  if (usable(input?.account_id)) return { limit: 'producer', key: `producer:${input?.account_id}` };
  if (usable(input?.account_external_id)) return { limit: 'producer', key: `producer-external:${input?.account_external_id}` };
  return { limit: 'producer', key: 'producer:?' };
}

export function createRateLimits(config: Config['rateLimits'], now?: () => number): RateLimits {
  if (!config.enabled) return { call() {}, testSend() {} };
  const buckets: Record<RateLimitKey['limit'], TokenBuckets> = {
    key: createTokenBuckets(config.perKey, now),
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
