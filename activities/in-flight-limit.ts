// Attempts in flight per webhook (and per account) in this process. An attempt at a receiver holds a
// worker slot (a local-activity slot and its workflow task's slot) for as long as the receiver takes
// to answer, up to HERALD_DELIVERY_TIMEOUT. Without a cap, one tenant whose endpoint hangs fills every
// slot with its backlog and every other tenant's attempts queue behind it. With one, an attempt over
// its webhook's (or account's) cap is not made: it returns `deferred` at once, before any read or POST,
// so the slot is free again within microseconds, and its workflow tries again after a short timer.
//
// Temporal's slot suppliers (worker tuner) cannot do this: they reserve a slot before the task is
// known and see only the activity type, not which webhook the attempt is for.

export interface InFlightLimits {
  /** HERALD_MAX_IN_FLIGHT_PER_WEBHOOK */
  perWebhook: number;
  /** HERALD_MAX_IN_FLIGHT_PER_ACCOUNT */
  perAccount: number;
}

export interface InFlightLimit {
  /** A release function when both the webhook and its account have room; undefined when either is full. */
  tryAcquire(webhookId: string, accountId: string): (() => void) | undefined;
  /** Attempts of this webhook in flight now (for tests and logs). */
  inFlight(webhookId: string): number;
}

export function createInFlightLimit(limits: InFlightLimits): InFlightLimit {
  const webhooks = new Map<string, number>();
  const accounts = new Map<string, number>();
  const add = (counts: Map<string, number>, key: string, delta: number) => {
    const next = (counts.get(key) ?? 0) + delta;
    // Only keys with attempts in flight are kept, so the maps stay as small as the set of busy webhooks.
    if (next > 0) counts.set(key, next);
    else counts.delete(key);
  };
  return {
    tryAcquire(webhookId, accountId) {
      if ((webhooks.get(webhookId) ?? 0) >= limits.perWebhook || (accounts.get(accountId) ?? 0) >= limits.perAccount) return undefined;
      add(webhooks, webhookId, 1);
      add(accounts, accountId, 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        add(webhooks, webhookId, -1);
        add(accounts, accountId, -1);
      };
    },
    inFlight: (webhookId) => webhooks.get(webhookId) ?? 0,
  };
}

/**
 * How long a deferred attempt's workflow waits before trying again: short at first (a busy but healthy
 * receiver frees a place within milliseconds), doubling with each consecutive deferral up to the POST
 * timeout (a hanging receiver frees one only when an attempt times out), ±20 % so that a backlog does
 * not come back all at once.
 */
export function deferDelayMs(deferrals: number, timeoutMs: number, random: () => number = Math.random): number {
  const base = Math.min(250 * 2 ** Math.min(deferrals, 16), Math.max(timeoutMs, 250));
  return Math.round(base * (0.8 + 0.4 * random()));
}
