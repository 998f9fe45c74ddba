// First attempts made before their delivery workflow runs: one mechanism, two callers. The API begins the
// first attempt of each delivery of an event it has just stored, beside the workflow's start, so the POST
// waits neither for Temporal nor for the delivery record; a large fan-out makes its pages' first attempts
// before it starts their workflows (activities/fan-out.ts). Either way:
//   1. the delivery record is inserted with a claim (`handoff: null`, see DeliveryDoc.handoff);
//   2. the attempt's own record write leaves its outcome there (`handoff: <outcome>`);
//   3. the workflow, started with `preAttempted`, adopts that outcome on its first turn instead of POSTing;
//      it is its run's (`handoff_run`, written by whoever first knows the run); a claim is waited for
//      (`adoptFirstAttempt`).
// The store carries the outcome between processes, so the worker that runs the workflow need not be the
// process that made the attempt (an `api` process begins them too: docs/roles.md). A later task of the
// same run (its worker died before completing the task) adopts it again; a reset's new run POSTs.
//
// The outcome is left marked with the run the API's start made, so adopting it costs one read and no
// write. In the process that began the attempt there is a shortcut: its own worker (usually the eager
// task of that very start) takes the attempt's promise, with no read at all.
import { ATTEMPT_STORE_MARGIN_MS, type AttemptInput, type AttemptOutcome } from '../src/domain/delivery.js';
import type { WebhookDoc } from '../src/store/documents.js';
import type { Store } from '../src/store/index.js';
import { deferDelayMs } from './in-flight-limit.js';

/**
 * How long after its record was made a claimed first attempt may still be recorded: the POST's timeout
 * plus this. Past it the beginner is taken to have died (its process was killed mid-attempt): the
 * workflow gives up waiting and attempts itself, and the beginner, if it ever gets there, leaves no outcome.
 */
export const CLAIM_GRACE_MS = ATTEMPT_STORE_MARGIN_MS / 2;

/**
 * What the API already has under way when it begins a first attempt: the insert of the delivery record,
 * which every write of the attempt waits for, the workflow's start, and the webhook, read while the event
 * was being stored; and what to leave on the record (SendAttemptInput.handOff in attempt-delivery.ts).
 */
export interface HeadStart {
  recorded: Promise<unknown>;
  /** The run id of the workflow's start; null if the start failed or found the workflow started already. */
  run: Promise<string | null>;
  webhook?: Promise<WebhookDoc | null>;
  handOff: HandOff;
}

/**
 * Asked as a first attempt begun before its workflow is recorded: what to leave on the record (its
 * outcome, and the workflow run it is for, if known), or null to clear the claim instead.
 */
export type HandOff = () => Promise<{ run: string | null } | null>;

export interface FirstAttempts {
  /**
   * Begins the first attempt of a delivery whose workflow does not exist yet (the API, for an event it
   * has just stored), while the insert of its delivery record (with the claim) is still under way: the
   * POST goes out meanwhile, the attempt's record waits for it. Never throws; a failure reaches whoever
   * takes the attempt, or clears the claim.
   */
  begin(input: AttemptInput, headStart: Omit<HeadStart, 'handOff'>): void;
  /**
   * The outcome of the first attempt this process began for the delivery, for the workflow run `run`;
   * once, and only for a while.
   */
  take(deliveryId: string, run: string): Promise<AttemptOutcome> | undefined;
  /** Resolves once every attempt begun so far has been recorded (a stopping API waits for it). */
  settled(): Promise<void>;
}

/** Outcomes of an attempt that did not reach the receiver, so recorded no attempt (and no handoff with it). */
const recordsNoAttempt = (outcome: AttemptOutcome) =>
  outcome.result === 'parked' || outcome.result === 'deferred' || outcome.result === 'cancelled';

/**
 * `localTakes`: this process runs a worker that may take its own attempts (role `all`); without one
 * (role `api`) every outcome goes through the store. `holdMs`: how long a finished attempt waits to be
 * taken here; past it only the store has it.
 */
export function createFirstAttempts(
  attempt: (input: AttemptInput, headStart: HeadStart) => Promise<AttemptOutcome>,
  options: {
    deliveries: Pick<Store['deliveries'], 'leaveHandoff' | 'markHandoffTaken' | 'clearHandoff'>;
    localTakes: boolean;
    holdMs?: number;
  },
): FirstAttempts {
  const { deliveries, localTakes, holdMs = 60_000 } = options;
  interface Begun {
    /** The workflow run of this process's worker that took it. */
    takenBy?: string;
    /** Set once the outcome was left on the record for no known run: a taker after that marks it. */
    leftUntaken: boolean;
    done: Promise<AttemptOutcome>;
  }
  const begun = new Map<string, Begun>();
  const inFlight = new Set<Promise<unknown>>();
  return {
    begin(input, headStart) {
      const { deliveryId } = input;
      if (begun.has(deliveryId)) return;
      const deadline = Date.now() + input.timeoutMs + CLAIM_GRACE_MS;
      const entry: Begun = { leftUntaken: false, done: undefined as never };
      // Left for the run the start made (known by then: the record waits for it, the workflow's first task
      // cannot come sooner), so neither this process's worker nor another needs to write again to adopt it.
      // Past its deadline, and not taken here, a workflow waiting elsewhere has given up on it: no outcome.
      const handOff: HandOff = async () => {
        const started = await headStart.run;
        if (entry.takenBy === undefined && Date.now() >= deadline) return null;
        const run = entry.takenBy ?? started;
        if (run === null) entry.leftUntaken = true;
        return { run };
      };
      entry.done = attempt(input, { ...headStart, handOff }).then(
        async (outcome) => {
          if (recordsNoAttempt(outcome)) {
            // No attempt recorded, so no handoff written with it: its own write (rare).
            await headStart.recorded;
            const left = await handOff();
            if (left) await deliveries.leaveHandoff(deliveryId, { outcome, run: left.run });
            else await deliveries.clearHandoff(deliveryId);
          }
          return outcome;
        },
        async (error: unknown) => {
          // Nothing recorded: the workflow attempts itself rather than wait for the claim to expire.
          if (entry.takenBy === undefined) await deliveries.clearHandoff(deliveryId).catch(() => undefined);
          throw error;
        },
      );
      if (localTakes) {
        begun.set(deliveryId, entry);
        const forget = () =>
          setTimeout(() => {
            if (begun.get(deliveryId) === entry) begun.delete(deliveryId);
          }, holdMs).unref();
        entry.done.then(forget, forget);
      }
      // A stopping process waits for it; one never taken must not become an unhandled rejection.
      const tracked = entry.done.catch(() => undefined);
      inFlight.add(tracked);
      tracked.then(() => inFlight.delete(tracked));
    },
    take(deliveryId, run) {
      const entry = begun.get(deliveryId);
      if (!entry) return undefined;
      begun.delete(deliveryId);
      entry.takenBy = run;
      return entry.done.then(async (outcome) => {
        // Recorded before this take, for no known run: mark it this run's, so a reset's new run POSTs again.
        if (entry.leftUntaken) await deliveries.markHandoffTaken(deliveryId, run);
        return outcome;
      });
    },
    async settled() {
      await Promise.all(inFlight);
    },
  };
}

/**
 * The first turn of a workflow started with `preAttempted`, where this process did not begin the attempt:
 * adopts the recorded outcome, or waits for a claimed attempt still under way (in another process) until
 * its deadline. Undefined when there is nothing to adopt (the workflow attempts itself).
 */
export async function adoptFirstAttempt(
  store: Store,
  input: Pick<AttemptInput, 'deliveryId' | 'timeoutMs'>,
  run: string,
  now: () => Date = () => new Date(),
): Promise<AttemptOutcome | undefined> {
  for (let pauseMs = 10; ; pauseMs = Math.min(pauseMs * 2, 500)) {
    const handoff = await store.deliveries.takeHandoff(input.deliveryId, run);
    if (handoff.state === 'none') return undefined;
    if (handoff.state === 'made') return adopted(handoff.outcome, handoff.nextAttemptAt, now());
    const left = handoff.since.getTime() + input.timeoutMs + CLAIM_GRACE_MS - now().getTime();
    if (left <= 0) {
      // Its beginner is gone. The next turn, a fresh activity with its own bound, makes the attempt.
      await store.deliveries.clearHandoff(input.deliveryId);
      return { result: 'deferred', delayMs: deferDelayMs(0, input.timeoutMs) };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs, left)));
  }
}

/** A retry waits until the recorded time, not a full delay from now: the workflow may start well after the attempt. */
function adopted(outcome: AttemptOutcome, nextAttemptAt: Date | null, now: Date): AttemptOutcome {
  if (outcome.result !== 'retry' || !nextAttemptAt) return outcome;
  return { ...outcome, delayMs: Math.max(0, nextAttemptAt.getTime() - now.getTime()) };
}
