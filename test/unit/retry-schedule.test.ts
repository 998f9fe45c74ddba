import { describe, expect, it } from 'vitest';
import { classifyAttempt } from '../../src/domain/classify-response.js';
import { formatDuration, parseDuration, parseDurationList } from '../../src/domain/duration.js';
import { nextRetryDelay, parseRetryAfter } from '../../src/domain/retry-schedule.js';

const policy = { scheduleMs: [5_000, 300_000, 1_800_000], jitter: 0.2 };

describe('durations', () => {
  it('parses the one notation and refuses bare numbers', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('15')).toBeUndefined();
    expect(parseDuration('1.5s')).toBeUndefined();
    expect(parseDurationList('5s,5m,30m')).toEqual([5_000, 300_000, 1_800_000]);
    expect(parseDurationList('5s,x')).toBeUndefined();
    expect(formatDuration(300_000)).toBe('5m');
  });
});

describe('nextRetryDelay', () => {
  it('follows the schedule within ±jitter and stops when it is spent', () => {
    for (const [attempt, base] of [
      [1, 5_000],
      [2, 300_000],
      [3, 1_800_000],
    ] as const) {
      expect(nextRetryDelay(policy, attempt, () => 0)).toBe(base * 0.8);
      expect(nextRetryDelay(policy, attempt, () => 1)).toBe(base * 1.2);
      expect(nextRetryDelay(policy, attempt, () => 0.5)).toBe(base);
    }
    expect(nextRetryDelay(policy, 4, () => 0.5)).toBeUndefined();
  });

  it('honours Retry-After, clamped between the scheduled delay and twice it', () => {
    expect(nextRetryDelay(policy, 2, () => 0.5, 400_000)).toBe(400_000);
    expect(nextRetryDelay(policy, 2, () => 0.5, 1_000)).toBe(300_000);
    expect(nextRetryDelay(policy, 2, () => 0.5, 10_000_000)).toBe(600_000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('classifyAttempt', () => {
  it.each([
    [200, 'success'],
    [204, 'success'],
    [301, 'retry'],
    [400, 'retry'],
    [408, 'retry'],
    [410, 'gone'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ] as const)('%i → %s', (statusCode, expected) => {
    expect(classifyAttempt({ statusCode })).toBe(expected);
  });

  it('retries timeouts and network errors', () => {
    expect(classifyAttempt({ error: 'timeout' })).toBe('retry');
    expect(classifyAttempt({ error: 'network' })).toBe('retry');
  });
});
