// Which of several concurrent replays of one delivery run answers 200 (temporal/replay.ts): the one
// whose insert under `${delivery}/${run}` lands. Runs are never reset twice, so a claim is only read
// while replays of its run race; retention deletes old ones.
import { type Collections, isDuplicateKey } from './mongo.js';
import { addTimeEntry, deleteCreatedBefore } from './time-entries.js';

export function createReplayClaims(c: Collections) {
  const idOf = (deliveryId: string, runId: string) => `${deliveryId}/${runId}`;
  return {
    /** True for exactly one caller per (delivery, run). */
    async claim(deliveryId: string, runId: string, now = new Date()): Promise<boolean> {
      // Its retention entry first (time-entries.ts).
      await addTimeEntry(c.replayClaims, idOf(deliveryId, runId), now);
      try {
        await c.replayClaims.insertOne({ _id: idOf(deliveryId, runId), delivery_id: deliveryId, created_at: now });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    /** After the winner's reset failed: a retry may win again. */
    async release(deliveryId: string, runId: string): Promise<void> {
      await c.replayClaims.deleteOne({ _id: idOf(deliveryId, runId) });
    },

    deleteOlderThan(before: Date, limit: number): Promise<number> {
      return deleteCreatedBefore(c.replayClaims, before, limit);
    },
  };
}

export type ReplayClaims = ReturnType<typeof createReplayClaims>;
