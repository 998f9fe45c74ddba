import { expect, it } from 'vitest';
import { createSuccessMemo } from '../../activities/delivery-health.js';

it('remembers a success for the window only, and forgets it on a failure', () => {
  let now = 1_000;
  const memo = createSuccessMemo(1_000, () => now);
  expect(memo.fresh('wh_a')).toBe(false);
  memo.remember('wh_a');
  expect(memo.fresh('wh_a')).toBe(true);
  expect(memo.fresh('wh_b')).toBe(false);
  now += 999;
  expect(memo.fresh('wh_a')).toBe(true);
  now += 1;
  expect(memo.fresh('wh_a')).toBe(false);
  memo.remember('wh_a');
  memo.forget('wh_a');
  expect(memo.fresh('wh_a')).toBe(false);
});

it('with a window of 0 remembers nothing (every success is written)', () => {
  const memo = createSuccessMemo(0);
  memo.remember('wh_a');
  expect(memo.fresh('wh_a')).toBe(false);
});
