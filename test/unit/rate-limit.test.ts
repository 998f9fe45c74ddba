// The token buckets behind the rate limits (src/domain/token-bucket.ts) on an injected clock, their
// notation in the configuration, and which bucket each caller's calls come out of.
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { createRateLimits, producerRateLimitKey, rateLimitKey, retryAfterOf } from '../../src/api/rate-limit.js';
import { loadConfig } from '../../src/config/env.js';
import { createTokenBuckets, parseRate } from '../../src/domain/token-bucket.js';
import type { AccountVersion } from '../../src/store/account-versions.js';

describe('parseRate', () => {
  it('reads calls per duration', () => {
    expect(parseRate('600/1m')).toEqual({ burst: 600, perMs: 60_000 });
    expect(parseRate('10/s')).toEqual({ burst: 10, perMs: 1_000 });
    expect(parseRate(' 1000/2s ')).toEqual({ burst: 1_000, perMs: 2_000 });
  });
  it.each(['', '10', '10/', '/1s', '0/1s', '10/0s', '-1/1s', '10/1x', '1.5/1s'])('refuses %j', (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});

describe('token buckets', () => {
  it('allows the burst at once, then one call per refill interval, and says how long to wait', () => {
    let now = 1_000_000;
    const buckets = createTokenBuckets({ burst: 3, perMs: 3_000 }, () => now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(1_000);
    expect(buckets.take('b')).toBe(0);
    now += 400;
    expect(buckets.waitMs('a')).toBe(600);
    now += 600;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1_000);
  });

  it('drops refilled buckets, so idle keys cost no memory', () => {
    let now = 0;
    const buckets = createTokenBuckets({ burst: 2, perMs: 1_000 }, () => now);
    for (let i = 0; i < 100; i++) buckets.take(`key${i}`);
    expect(buckets.size).toBe(100);
    now += 2_000;
    buckets.take('fresh');
    expect(buckets.size).toBe(1);
  });
});

describe('rate limits', () => {
  const version: AccountVersion = 'v1';
  const config = (env: Record<string, string>) => loadConfig(env).rateLimits;

  it('has generous defaults and a switch', () => {
    expect(config({})).toMatchObject({
      enabled: true,
      perKey: { burst: 1_000, perMs: 2_000 },
      producerPerAccount: { burst: 1_000, perMs: 2_000 },
      testPerWebhook: { burst: 10, perMs: 60_000 },
      testPerAccount: { burst: 30, perMs: 60_000 },
    });
    const off = createRateLimits(config({ HERALD_RATE_LIMITS: 'false', HERALD_RATE_LIMIT_PER_KEY: '1/1h' }));
    for (let i = 0; i < 5; i++) off.call({ kind: 'account', accountId: 'acc_1', version, catalogue: null, keyHash: 'hash_1' }, {});
  });

  it('gives every key its own bucket', () => {
    const limits = createRateLimits(config({ HERALD_RATE_LIMIT_PER_KEY: '2/1h' }));
    const caller = { kind: 'account' as const, accountId: 'acc_1', version, catalogue: null, keyHash: 'hash_1' };
    limits.call(caller, {});
    limits.call(caller, {});
    let refused: unknown;
    try {
      limits.call(caller, {});
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe('TOO_MANY_REQUESTS');
    expect(retryAfterOf(refused as TRPCError)).toBe(1_800);
    limits.call({ kind: 'account', accountId: 'acc_1', version, catalogue: null, keyHash: 'hash_2' }, {});
    limits.call({ kind: 'account', accountId: 'acc_2', version, catalogue: null, keyHash: 'hash_3' }, {});
    limits.call({ kind: 'anonymous' }, {});
  });

  it('charges a test send to both its webhook and its account, or to neither', () => {
    const limits = createRateLimits(config({ HERALD_RATE_LIMIT_TEST_PER_WEBHOOK: '2/1h', HERALD_RATE_LIMIT_TEST_PER_ACCOUNT: '3/1h' }));
    limits.testSend('acc', 'wh_1');
    limits.testSend('acc', 'wh_1');
    expect(() => limits.testSend('acc', 'wh_1')).toThrow(/test sends/);
    limits.testSend('acc', 'wh_2');
    expect(() => limits.testSend('acc', 'wh_3')).toThrow(/test sends/);
  });

  it('keys calls by caller: account keys by key, the admin key alone, producers per target account', () => {
    expect(rateLimitKey({ kind: 'account', accountId: 'acc_1', version, catalogue: null, keyHash: 'h1' }, {})).toEqual({
      limit: 'key',
      key: 'key:h1',
    });
    expect(rateLimitKey({ kind: 'admin' }, {})).toEqual({ limit: 'key', key: 'admin' });
    expect(rateLimitKey({ kind: 'anonymous' }, {})).toBeUndefined();
    expect(rateLimitKey({ kind: 'producer', producerKeyId: 'pk_1' }, { account_id: 'acc_9' })).toEqual({
      limit: 'producer',
      key: 'producer:acc_9',
    });
    expect(producerRateLimitKey({ account_id: 'acc_9', type: 'message.received' })).toEqual({ limit: 'producer', key: 'producer:acc_9' });
    expect(producerRateLimitKey({ account_external_id: 'cust_9' })).toEqual({ limit: 'producer', key: 'producer-external:cust_9' });
    expect(producerRateLimitKey(undefined)).toEqual({ limit: 'producer', key: 'producer:?' });
    expect(producerRateLimitKey({ account_id: 42 })).toEqual({ limit: 'producer', key: 'producer:?' });
  });
});
