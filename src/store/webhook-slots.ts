// HERALD_MAX_WEBHOOKS_PER_ACCOUNT under any concurrency. Counting an account's webhooks and then
// inserting one lets every create running at once see the same count. Instead every webhook holds one
// of its account's numbered slots (`<account>:<n>`, n from 1 to the limit), claimed before the webhook
// is inserted: a slot is taken by a unique insert (its first use) or by a versioned write that finds it
// free (versioned-write.ts: FerretDB applies no update atomically otherwise), so no two webhooks ever
// hold one slot, and at most `limit` webhooks exist.
//
// Crashes never make the count exceed and never leak a slot for good. A slot is claimed for a webhook id
// before that webhook exists: a create that dies in between, or a delete that dies before releasing,
// leaves a slot whose webhook does not exist. Once its claim is older than the lease and the webhook is
// still missing, the slot is free again; a create inserts its webhook only while its claim is younger
// than half the lease, so a webhook never appears in a slot taken over.
//
// Webhooks made before slots existed (or kept in slots above a lowered limit) hold none: they count by
// taking the highest slot numbers out of play (their number only falls, since every new webhook gets a
// slot first), so slots and those webhooks together stay within the limit.
import type { WebhookSlotDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';
import { ConcurrentWriteError, writeVersioned } from './versioned-write.js';
import { accountWebhooks } from './webhook-entries.js';

/** A claim for a webhook that does not exist after this long is abandoned: the slot may be taken. */
export const SLOT_LEASE_MS = 60_000;

export interface SlotClaim {
  accountId: string;
  slotId: string;
  webhookId: string;
  claimedAt: Date;
}

export function slotId(accountId: string, n: number): string {
  return `${accountId}:${n}`;
}

export function createWebhookSlots(c: Collections, { leaseMs = SLOT_LEASE_MS, now = () => new Date() } = {}) {
  const target = { docs: c.webhookSlots, claims: c.writeClaims, scope: 'webhook_slots' };

  /**
   * The account's slots: their `_id`s (`<account>:<n>`) are one `_id` range, sorted by `_id` (indexed
   * on MongoDB and on Herald's FerretDB build), where a filter on `account_id` reads every slot.
   */
  function accountSlots(accountId: string): Promise<WebhookSlotDoc[]> {
    // `;` follows `:`: the first key after every slot of the account.
    return c.webhookSlots
      .find({ _id: { $gte: `${accountId}:`, $lt: `${accountId};` } })
      .sort({ _id: 1 })
      .toArray();
  }

  /** Held by a webhook that does not exist, claimed longer ago than the lease: its create or delete died. */
  async function abandoned(slot: WebhookSlotDoc): Promise<boolean> {
    if (slot.webhook_id === null) return true;
    if (slot.claimed_at === null || slot.claimed_at.getTime() > now().getTime() - leaseMs) return false;
    return (await c.webhooks.findOne({ _id: slot.webhook_id }, { projection: { _id: 1 } })) === null;
  }

  /** Takes slot n for the webhook id: when this call took it, the claim's time; otherwise null. */
  async function take(accountId: string, n: number, webhookId: string, seen: WebhookSlotDoc | undefined): Promise<Date | null> {
    const claimedAt = now();
    if (!seen) {
      try {
        await c.webhookSlots.insertOne({
          _id: slotId(accountId, n),
          account_id: accountId,
          n,
          webhook_id: webhookId,
          claimed_at: claimedAt,
          updated_at: claimedAt,
        });
        return claimedAt;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    try {
      const slot = await writeVersioned(target, slotId(accountId, n), async (current) =>
        (await abandoned(current)) ? { webhook_id: webhookId, claimed_at: claimedAt } : null,
      );
      return slot?.webhook_id === webhookId ? claimedAt : null;
    } catch (error) {
      // Many creates after the same freed slot: another one took it; try the next.
      if (error instanceof ConcurrentWriteError) return null;
      throw error;
    }
  }

  return {
    /**
     * A slot for the (not yet inserted) webhook `webhookId`; null when all `limit` are held. Insert the
     * webhook only while `isFresh(claim)`, and release the slot if it is not inserted.
     */
    async claim(accountId: string, webhookId: string, limit: number): Promise<SlotClaim | null> {
      // Webhooks first, then slots: a webhook is inserted after its slot was claimed, so every webhook
      // read holds a slot in the slots read after (unless deleted meanwhile: then it counts as holding
      // none, one slot fewer this time, never one too many).
      // Through the account's webhook entries (webhook-entries.ts): a filter on `account_id` reads every webhook.
      const webhooks = await accountWebhooks(c, accountId);
      const slots = await accountSlots(accountId);
      const inPlay = new Set(slots.filter((s) => s.n <= limit && s.webhook_id !== null).map((s) => s.webhook_id));
      // A temporary `herald listen` webhook holds no slot and takes no place (WebhookDoc.listen_session).
      const withoutSlot = webhooks.filter((w) => !inPlay.has(w._id) && w.listen_session === undefined).length;
      const byN = new Map(slots.map((s) => [s.n, s]));
      const usable = Array.from({ length: Math.max(0, limit - withoutSlot) }, (_, i) => i + 1);
      const existing = new Set(webhooks.map((w) => w._id));
      // Free slots first; then those whose webhook is missing (abandoned if the lease ran out too).
      const free = usable.filter((n) => !byN.get(n) || byN.get(n)?.webhook_id === null);
      const orphaned = usable.filter((n) => {
        const held = byN.get(n)?.webhook_id;
        return held != null && !existing.has(held);
      });
      for (const n of [...free, ...orphaned]) {
        const claimedAt = await take(accountId, n, webhookId, byN.get(n));
        if (claimedAt) return { accountId, slotId: slotId(accountId, n), webhookId, claimedAt };
      }
      return null;
    },

    /** Whether the webhook may still be inserted under this claim (see the lease above). */
    isFresh(claim: SlotClaim): boolean {
      return now().getTime() < claim.claimedAt.getTime() + leaseMs / 2;
    },

    /** Frees the slots the webhook holds (after it was deleted, or was never inserted). */
    async release(accountId: string, webhookId: string): Promise<void> {
      const held = (await accountSlots(accountId)).filter((slot) => slot.webhook_id === webhookId);
      for (const { _id } of held) {
        try {
          await writeVersioned(target, _id, (current) =>
            current.webhook_id === webhookId ? { webhook_id: null, claimed_at: null } : null,
          );
        } catch (error) {
          // Left held by a webhook that does not exist: free again after the lease, like after a crash.
          if (!(error instanceof ConcurrentWriteError)) throw error;
        }
      }
    },
  };
}

export type WebhookSlots = ReturnType<typeof createWebhookSlots>;
