import { afterEach, expect, it, vi } from 'vitest';
import { createFirstAttempts } from '../../activities/first-attempts.js';
import type { AttemptInput, AttemptOutcome } from '../../src/domain/delivery.js';

const input = (deliveryId: string): AttemptInput => ({
  deliveryId,
  webhookId: 'wh_a',
  accountId: 'acc_a',
  eventId: 'evt_a',
  attempt: 1,
  timeoutMs: 1_000,
});
const succeeded: AttemptOutcome = { result: 'succeeded', statusCode: 200 };
const headStart = { recorded: Promise.resolve() };

afterEach(() => {
  vi.useRealTimers();
});

it('hands a begun attempt to the first taker only, and runs it once', async () => {
  const attempt = vi.fn(async () => succeeded);
  const first = createFirstAttempts(attempt);
  first.begin(input('dlv_a'), headStart);
  first.begin(input('dlv_a'), headStart);
  expect(attempt).toHaveBeenCalledTimes(1);
  expect(attempt).toHaveBeenCalledWith(input('dlv_a'), headStart);
  expect(first.take('dlv_b')).toBeUndefined();
  await expect(first.take('dlv_a')).resolves.toEqual(succeeded);
  expect(first.take('dlv_a')).toBeUndefined();
});

it('passes a failed attempt to its taker, and an untaken failure rejects nothing unhandled', async () => {
  const unhandled = vi.fn();
  process.on('unhandledRejection', unhandled);
  try {
    const first = createFirstAttempts(async () => {
      throw new Error('MongoDB is down');
    });
    first.begin(input('dlv_taken'), headStart);
    first.begin(input('dlv_left'), headStart);
    await expect(first.take('dlv_taken')).rejects.toThrow('MongoDB is down');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).not.toHaveBeenCalled();
  } finally {
    process.off('unhandledRejection', unhandled);
  }
});

it('forgets a finished attempt nobody took once the hold is over, not before', async () => {
  vi.useFakeTimers();
  const first = createFirstAttempts(async () => succeeded, 1_000);
  first.begin(input('dlv_a'), headStart);
  first.begin(input('dlv_b'), headStart);
  await vi.advanceTimersByTimeAsync(999);
  await expect(first.take('dlv_a')).resolves.toEqual(succeeded);
  await vi.advanceTimersByTimeAsync(1);
  expect(first.take('dlv_b')).toBeUndefined();
});

it('keeps an attempt still in flight however long it takes, then holds it from when it finished', async () => {
  vi.useFakeTimers();
  let finish: (outcome: AttemptOutcome) => void = () => {};
  const first = createFirstAttempts(() => new Promise<AttemptOutcome>((resolve) => (finish = resolve)), 1_000);
  first.begin(input('dlv_a'), headStart);
  await vi.advanceTimersByTimeAsync(5_000);
  finish(succeeded);
  await vi.advanceTimersByTimeAsync(999);
  await expect(first.take('dlv_a')).resolves.toEqual(succeeded);
});
