// First attempts begun by the API while Temporal is still accepting their workflows. A publish stores the
// event (reading the matching webhooks meanwhile), then begins each first attempt beside the insert of
// its delivery record and the workflow's start; the workflow's first attempt (a local activity on this
// process's worker, usually the eager task of that very start) takes the outcome instead of POSTing. So
// the POST waits neither for Temporal's start, which carried most of the publish→receive tail at a steady
// load, nor for the delivery record, and the delivery still costs what it did: the same reads, POST and
// records, made a few milliseconds earlier.
//
// Only this process can take an attempt it began. A workflow task that another worker process runs
// finds nothing here and POSTs again (at least once, the same `webhook-id`), as it would after a crash.
import type { AttemptInput, AttemptOutcome } from '../src/domain/delivery.js';
import type { HeadStart } from './attempt-delivery.js';

export interface FirstAttempts {
  /**
   * Begins the first attempt of a delivery whose workflow does not exist yet (the API, for an event it
   * has just stored), while the insert of its delivery record is still under way: the POST goes out
   * meanwhile, the attempt's record waits for it. Never throws; a failure reaches whoever takes the
   * attempt.
   */
  begin(input: AttemptInput, headStart: HeadStart): void;
  /** The outcome of the first attempt this process began for the delivery; once, and only for a while. */
  take(deliveryId: string): Promise<AttemptOutcome> | undefined;
}

/**
 * `holdMs`: how long a finished attempt waits to be taken. Its workflow's first task normally takes it
 * within milliseconds; a publish whose start failed and that the client retries takes it within this
 * time (the retry starts the workflow, and nothing is POSTed twice). Past it the attempt is forgotten,
 * and the workflow, if it ever runs, POSTs again.
 */
export function createFirstAttempts(
  attempt: (input: AttemptInput, headStart: HeadStart) => Promise<AttemptOutcome>,
  holdMs = 60_000,
): FirstAttempts {
  const begun = new Map<string, Promise<AttemptOutcome>>();
  return {
    begin(input, headStart) {
      if (begun.has(input.deliveryId)) return;
      const outcome = attempt(input, headStart);
      begun.set(input.deliveryId, outcome);
      const forget = () => {
        setTimeout(() => {
          if (begun.get(input.deliveryId) === outcome) begun.delete(input.deliveryId);
        }, holdMs).unref();
      };
      // The taker sees a rejection as its own; one never taken must not become an unhandled rejection.
      outcome.then(forget, forget);
    },
    take(deliveryId) {
      const outcome = begun.get(deliveryId);
      begun.delete(deliveryId);
      return outcome;
    },
  };
}
