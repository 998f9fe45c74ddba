// Group commit: many callers each write one document, and one command carries many of them. While a
// command is in flight the writes that arrive queue up, and all of them go in the next one: an idle
// batcher sends at once (nothing waits on a clock unless asked to), a busy one sends bigger batches.
// Each caller still gets its own document's outcome.

/** One item's outcome within a command that as a whole succeeded. */
export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  maxBatch?: number;
  /**
   * How long an idle batcher's first write waits for company. 0 (the default): only the writes queued
   * in the same turn share its command, for writes a caller is waiting on. A write nobody waits on can
   * wait longer and share its command with many more.
   */
  holdMs?: number;
  /**
   * false: no grouping, each write its own command at once (HERALD_SPEEDUP_GROUP_COMMIT=off, the plain
   * path). Callers see the same outcomes either way.
   */
  enabled?: boolean;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * `send` writes a batch in one command and answers each item's outcome in order; if it throws, the
 * command as a whole failed and every caller of the batch gets that error.
 */
export function createGroupCommit<I, O>(
  send: (items: I[]) => Promise<ItemOutcome<O>[]>,
  { maxBatch = 500, holdMs = 0, enabled = true }: GroupCommitOptions = {},
): (item: I) => Promise<O> {
  if (!enabled) return (item) => send([item]).then(([outcome]) => (outcome?.ok ? outcome.value : Promise.reject(outcome?.error)));
  let queue: Pending<I, O>[] = [];
  let running = false;

  async function sendBatch(batch: Pending<I, O>[]): Promise<void> {
    let outcomes: ItemOutcome<O>[];
    try {
      outcomes = await send(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) p.resolve(outcome.value);
      else p.reject(outcome ? outcome.error : new Error('group commit: no outcome for an item'));
    });
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await sendBatch(batch);
      }
    } finally {
      running = false;
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (running) return;
      running = true;
      // Without a hold, a microtask rather than a zero timer: the writes queued in this same turn (one
      // caller's several, or callers resumed together) share the first command.
      if (holdMs > 0) setTimeout(() => void drain(), holdMs);
      else queueMicrotask(() => void drain());
    });
}
