import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyReport, type HealthReport, type HealthState, holdsDelivery } from '../../src/domain/health.js';

const active = (): HealthState => ({
  status: 'active',
  failureCount: 0,
  seq: 0,
  lastError: null,
  lastFailureAt: null,
  unhealthyAfter: 5,
  resuming: false,
  run: 1,
});
const at = '2026-01-01T00:00:00.000Z';
const failure = (seq: number, failureCount: number): HealthReport => ({
  kind: 'failure',
  seq,
  failureCount,
  error: 'HTTP 500',
  at,
  unhealthyAfter: 5,
});

describe('health reports', () => {
  it('asks for unhealthy when the count reaches the threshold, once active', () => {
    const state = active();
    for (let n = 1; n <= 4; n++) expect(applyReport(state, failure(n, n))).toBe('none');
    expect(applyReport(state, failure(5, 5))).toBe('unhealthy');
    expect(state).toMatchObject({ failureCount: 5, lastError: 'HTTP 500', lastFailureAt: at });
    state.status = 'unhealthy';
    expect(applyReport(state, failure(6, 6))).toBe('none');
  });

  it('resets on recovery and ignores reports older than what it has seen', () => {
    const state = active();
    applyReport(state, failure(3, 3));
    expect(applyReport(state, { kind: 'recovered', seq: 4, at })).toBe('none');
    expect(state.failureCount).toBe(0);
    // A failure recorded before the recovery, arriving after it.
    expect(applyReport(state, failure(2, 2))).toBe('stale');
    expect(state.failureCount).toBe(0);
  });

  it('applies a report its state already counted: a workflow started by that report loaded its statistics', () => {
    // loadHealth ran after the attempt wrote seq 1: the state starts at seq 1, then seq 1's report arrives.
    const gone = { kind: 'gone', seq: 1, failureCount: 1, error: 'HTTP 410', at } as const;
    expect(applyReport({ ...active(), seq: 1, failureCount: 1 }, gone)).toBe('gone');
    expect(applyReport({ ...active(), seq: 5, failureCount: 5 }, failure(5, 5))).toBe('unhealthy');
  });

  it('disables on 410 Gone unless already disabled', () => {
    const state = active();
    expect(applyReport(state, { kind: 'gone', seq: 1, failureCount: 1, error: 'HTTP 410', at })).toBe('gone');
    state.status = 'disabled';
    expect(applyReport(state, { kind: 'gone', seq: 2, failureCount: 2, error: 'HTTP 410', at })).toBe('none');
  });

  it('ends with the count of the latest report, whatever order the reports arrive in', () => {
    // Reports of one webhook's consecutive outcomes: seq 1..n, each with the count after it.
    const outcomesInAnyOrder = fc
      .array(fc.boolean(), { minLength: 1, maxLength: 30 })
      .chain((successes) =>
        fc.tuple(
          fc.constant(successes),
          fc.shuffledSubarray([...successes.keys()], { minLength: successes.length, maxLength: successes.length }),
        ),
      );
    fc.assert(
      fc.property(outcomesInAnyOrder, ([successes, order]) => {
        let count = 0;
        const reports: HealthReport[] = successes.map((success, i) => {
          count = success ? 0 : count + 1;
          return success ? { kind: 'recovered', seq: i + 1, at } : { ...failure(i + 1, count), unhealthyAfter: 1_000 };
        });
        const state = active();
        for (const i of order) applyReport(state, reports[i] as HealthReport);
        expect(state.seq).toBe(reports.length);
        expect(state.failureCount).toBe(count);
      }),
    );
  });
});

describe('holding deliveries', () => {
  it('holds while unhealthy or disabled, and new ones (not released ones) while resuming', () => {
    expect(holdsDelivery({ status: 'active' }, false)).toBe(false);
    expect(holdsDelivery({ status: 'unhealthy' }, true)).toBe(true);
    expect(holdsDelivery({ status: 'disabled' }, false)).toBe(true);
    expect(holdsDelivery({ status: 'active', resuming: true }, false)).toBe(true);
    expect(holdsDelivery({ status: 'active', resuming: true }, true)).toBe(false);
  });
});
