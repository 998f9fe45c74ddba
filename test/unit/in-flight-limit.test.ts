import { describe, expect, it } from 'vitest';
import { createInFlightLimit, deferDelayMs } from '../../activities/in-flight-limit.js';
import { shutdownBudget } from '../../src/shutdown-budget.js';

describe('createInFlightLimit', () => {
  it('caps attempts per webhook and per account, and frees a place on release (once)', () => {
    const limit = createInFlightLimit({ perWebhook: 2, perAccount: 3 });
    const a1 = limit.tryAcquire('wh_a', 'acc_1');
    const a2 = limit.tryAcquire('wh_a', 'acc_1');
    expect(a1 && a2).toBeTruthy();
    expect(limit.tryAcquire('wh_a', 'acc_1')).toBeUndefined();
    // Another webhook of the same account: the account's cap (3) leaves one place.
    const b1 = limit.tryAcquire('wh_b', 'acc_1');
    expect(b1).toBeTruthy();
    expect(limit.tryAcquire('wh_c', 'acc_1')).toBeUndefined();
    // Another account is not affected.
    expect(limit.tryAcquire('wh_d', 'acc_2')).toBeTruthy();
    a1?.();
    a1?.();
    expect(limit.inFlight('wh_a')).toBe(1);
    expect(limit.tryAcquire('wh_a', 'acc_1')).toBeTruthy();
    expect(limit.tryAcquire('wh_a', 'acc_1')).toBeUndefined();
  });
});

describe('deferDelayMs', () => {
  it('starts short, doubles, stops at the POST timeout, ±20 %', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3].map((n) => deferDelayMs(n, 15_000, mid))).toEqual([250, 500, 1_000, 2_000]);
    expect(deferDelayMs(30, 15_000, mid)).toBe(15_000);
    expect(deferDelayMs(0, 15_000, () => 0)).toBe(200);
    expect(deferDelayMs(0, 15_000, () => 1)).toBe(300);
  });
});

describe('shutdownBudget', () => {
  it('spends the grace on the worker first and keeps the end for the servers, in order', () => {
    for (const grace of [1_000, 16_000, 25_000, 600_000]) {
      const b = shutdownBudget(grace);
      expect(b.httpMs).toBeLessThanOrEqual(b.workerGraceMs);
      expect(b.workerGraceMs).toBeLessThan(b.workerForceMs);
      expect(b.workerForceMs).toBeLessThan(b.heraldMs);
      expect(b.heraldMs).toBeLessThan(grace);
    }
    expect(shutdownBudget(25_000)).toMatchObject({ workerGraceMs: 20_000, heraldMs: 22_500 });
  });
});
