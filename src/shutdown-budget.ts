// How HERALD_SHUTDOWN_GRACE is spent after SIGTERM/SIGINT, so that the process ends within it whatever
// receivers (or clients) do. The worker drains for most of it: attempts in flight end on their own
// (HERALD_DELIVERY_TIMEOUT is shorter than the grace, boot checks it). A worker still not stopped a little
// after its grace is given up on (SDK 1.24 does not cancel running local activities at the grace), and the
// HTTP sender then abandons every POST still in flight: nothing is recorded for it, and Temporal has the
// attempt made again after the next start. The rest is for closing connections and stopping the embedded
// servers.

export interface ShutdownBudget {
  /** Requests in flight at the API are answered within this; connections still open then are cut. */
  httpMs: number;
  /** The worker's shutdownGraceTime: in-flight attempts may finish (regular activities are cancelled after it). */
  workerGraceMs: number;
  /** The worker's shutdownForceTime: given up on (its run throws) if it has not stopped by then. */
  workerForceMs: number;
  /** From the start of the shutdown: Herald's own stop is abandoned then, so that the servers get the rest. */
  heraldMs: number;
}

export function shutdownBudget(graceMs: number): ShutdownBudget {
  // Kept back for what follows the worker: closing connections and stopping the embedded servers.
  const reserveMs = Math.min(5_000, Math.floor(graceMs / 4));
  const workerGraceMs = graceMs - reserveMs;
  return {
    httpMs: Math.min(5_000, workerGraceMs),
    workerGraceMs,
    workerForceMs: workerGraceMs + Math.floor(reserveMs / 4),
    heraldMs: workerGraceMs + Math.floor(reserveMs / 2),
  };
}
