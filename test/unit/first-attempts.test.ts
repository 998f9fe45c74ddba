// The in-process side of first attempts (activities/first-attempts.ts): who takes a begun attempt, and
// what is left on the delivery record for a workflow elsewhere. The store side runs for real in
// test/integration/first-attempts.test.ts; here the record's writes are only listed.
import { afterEach, expect, it, vi } from 'vitest';
import { createFirstAttempts, type HeadStart } from '../../activities/first-attempts.js';
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
/** The start made the workflow's run `run_1` (most tests), or failed (`startFailed`). */
const headStart = { recorded: Promise.resolve(), run: Promise.resolve('run_1') };
const startFailed = { recorded: Promise.resolve(), run: Promise.resolve(null) };

/** The record writes first attempts make themselves, in order. */
function recordWrites() {
  const writes: string[] = [];
  return {
    writes,
    deliveries: {
      leaveHandoff: async (id: string, { outcome, run }: { outcome: AttemptOutcome; run: string | null }) =>
        void writes.push(`leave ${id} ${outcome.result} for ${run ?? 'no known run'}`),
      markHandoffTaken: async (id: string, run: string) => void writes.push(`taken ${id} by ${run}`),
      clearHandoff: async (id: string) => void writes.push(`clear ${id}`),
    },
  };
}

/** An attempt that records as sendAttempt does: asks whether to leave its outcome when it is recorded. */
function recordingAttempt(outcome: AttemptOutcome = succeeded) {
  const handedOff: ({ run: string | null } | null)[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const attempt = vi.fn(async (_input: AttemptInput, start: HeadStart) => {
    await finished;
    handedOff.push(await start.handOff());
    return outcome;
  });
  return { attempt, handedOff, finish };
}

afterEach(() => {
  vi.useRealTimers();
});

it('hands a begun attempt to the first taker only, and runs it once', async () => {
  const { deliveries } = recordWrites();
  const attempt = vi.fn(async () => succeeded);
  const first = createFirstAttempts(attempt, { deliveries, localTakes: true });
  first.begin(input('dlv_a'), headStart);
  first.begin(input('dlv_a'), headStart);
  expect(attempt).toHaveBeenCalledTimes(1);
  expect(first.take('dlv_b', 'run_1')).toBeUndefined();
  await expect(first.take('dlv_a', 'run_1')).resolves.toEqual(succeeded);
  expect(first.take('dlv_a', 'run_1')).toBeUndefined();
});

it("taken before it is recorded: the record leaves the outcome marked with the taker's run, nothing more is written", async () => {
  const { writes, deliveries } = recordWrites();
  const { attempt, handedOff, finish } = recordingAttempt();
  const first = createFirstAttempts(attempt, { deliveries, localTakes: true });
  first.begin(input('dlv_a'), headStart);
  const taken = first.take('dlv_a', 'run_1');
  finish();
  await expect(taken).resolves.toEqual(succeeded);
  expect(handedOff).toEqual([{ run: 'run_1' }]);
  expect(writes).toEqual([]);
});

it('recorded before it is taken: the outcome is left for the run the start made, so taking it writes nothing', async () => {
  const { writes, deliveries } = recordWrites();
  const { attempt, handedOff, finish } = recordingAttempt();
  const first = createFirstAttempts(attempt, { deliveries, localTakes: true });
  first.begin(input('dlv_a'), headStart);
  finish();
  await first.settled();
  expect(handedOff).toEqual([{ run: 'run_1' }]);
  await expect(first.take('dlv_a', 'run_1')).resolves.toEqual(succeeded);
  expect(writes).toEqual([]);
});

it("a start that failed leaves the outcome for no known run: the taker (the retried publish's run) marks it its own", async () => {
  const { writes, deliveries } = recordWrites();
  const { attempt, handedOff, finish } = recordingAttempt();
  const first = createFirstAttempts(attempt, { deliveries, localTakes: true });
  first.begin(input('dlv_a'), startFailed);
  finish();
  await first.settled();
  expect(handedOff).toEqual([{ run: null }]);
  await expect(first.take('dlv_a', 'run_2')).resolves.toEqual(succeeded);
  expect(writes).toEqual(['taken dlv_a by run_2']);
});

it('without a worker here (role api) nothing is taken locally: every outcome is left on the record', async () => {
  const { writes, deliveries } = recordWrites();
  const { attempt, handedOff, finish } = recordingAttempt();
  const first = createFirstAttempts(attempt, { deliveries, localTakes: false });
  first.begin(input('dlv_a'), headStart);
  expect(first.take('dlv_a', 'run_1')).toBeUndefined();
  finish();
  await first.settled();
  expect(handedOff).toEqual([{ run: 'run_1' }]);
  expect(writes).toEqual([]);
});

it("an attempt that recorded none (parked) leaves its outcome by a write of its own, marked with its taker's run if taken", async () => {
  const parked: AttemptOutcome = { result: 'parked', maxWaitMs: 60_000 };
  const { writes, deliveries } = recordWrites();
  const first = createFirstAttempts(async () => parked, { deliveries, localTakes: true });
  first.begin(input('dlv_left'), startFailed);
  first.begin(input('dlv_taken'), startFailed);
  await expect(first.take('dlv_taken', 'run_1')).resolves.toEqual(parked);
  await first.settled();
  expect(writes.sort()).toEqual(['leave dlv_left parked for no known run', 'leave dlv_taken parked for run_1']);
});

it('passes a failed attempt to its taker; an untaken failure clears its claim and rejects nothing unhandled', async () => {
  const unhandled = vi.fn();
  process.on('unhandledRejection', unhandled);
  try {
    const { writes, deliveries } = recordWrites();
    const first = createFirstAttempts(
      async () => {
        throw new Error('MongoDB is down');
      },
      { deliveries, localTakes: true },
    );
    first.begin(input('dlv_taken'), headStart);
    first.begin(input('dlv_left'), headStart);
    await expect(first.take('dlv_taken', 'run_1')).rejects.toThrow('MongoDB is down');
    await first.settled();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).not.toHaveBeenCalled();
    expect(writes).toEqual(['clear dlv_left']);
  } finally {
    process.off('unhandledRejection', unhandled);
  }
});

it('leaves no outcome once past its claim deadline: a workflow waiting elsewhere has given up and attempts itself', async () => {
  vi.useFakeTimers();
  const { deliveries } = recordWrites();
  const { attempt, handedOff, finish } = recordingAttempt();
  const first = createFirstAttempts(attempt, { deliveries, localTakes: false });
  first.begin(input('dlv_a'), headStart);
  await vi.advanceTimersByTimeAsync(60_000);
  finish();
  await first.settled();
  expect(handedOff).toEqual([null]);
});

it('forgets a finished attempt nobody took once the hold is over, not before', async () => {
  vi.useFakeTimers();
  const { deliveries } = recordWrites();
  const first = createFirstAttempts(async () => succeeded, { deliveries, localTakes: true, holdMs: 1_000 });
  first.begin(input('dlv_a'), headStart);
  first.begin(input('dlv_b'), headStart);
  await vi.advanceTimersByTimeAsync(999);
  await expect(first.take('dlv_a', 'run_1')).resolves.toEqual(succeeded);
  await vi.advanceTimersByTimeAsync(1);
  expect(first.take('dlv_b', 'run_1')).toBeUndefined();
});

it('keeps an attempt still in flight however long it takes, then holds it from when it finished', async () => {
  vi.useFakeTimers();
  const { deliveries } = recordWrites();
  let finish: (outcome: AttemptOutcome) => void = () => {};
  const first = createFirstAttempts(() => new Promise<AttemptOutcome>((resolve) => (finish = resolve)), {
    deliveries,
    localTakes: true,
    holdMs: 1_000,
  });
  first.begin(input('dlv_a'), headStart);
  await vi.advanceTimersByTimeAsync(5_000);
  finish(succeeded);
  await vi.advanceTimersByTimeAsync(999);
  await expect(first.take('dlv_a', 'run_1')).resolves.toEqual(succeeded);
});
