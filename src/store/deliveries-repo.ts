import type { AttemptDoc, DeliveryDoc, DeliveryStatus } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export function createDeliveriesRepo(c: Collections) {
  return {
    /** Inserts the records that do not exist yet; existing ones (a retried publish) are left alone. */
    async insertMany(deliveries: DeliveryDoc[]): Promise<void> {
      if (deliveries.length === 0) return;
      try {
        await c.deliveries.insertMany(deliveries, { ordered: false });
      } catch (error) {
        const writeErrors = (error as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
        const errors = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
        if (!isDuplicateKey(error) && !(errors.length > 0 && errors.every((e) => e.code === 11000))) throw error;
      }
    },

    get(accountId: string, deliveryId: string): Promise<DeliveryDoc | null> {
      return c.deliveries.findOne({ _id: deliveryId, account_id: accountId });
    },

    byId(deliveryId: string): Promise<DeliveryDoc | null> {
      return c.deliveries.findOne({ _id: deliveryId });
    },

    async recordAttempt(deliveryId: string, attempt: AttemptDoc, status: DeliveryStatus, nextAttemptAt: Date | null): Promise<void> {
      await c.deliveries.updateOne(
        { _id: deliveryId },
        { $push: { attempts: attempt }, $set: { status, next_attempt_at: nextAttemptAt, updated_at: new Date() } },
      );
    },

    async setStatus(deliveryId: string, status: DeliveryStatus, nextAttemptAt: Date | null = null): Promise<void> {
      await c.deliveries.updateOne({ _id: deliveryId }, { $set: { status, next_attempt_at: nextAttemptAt, updated_at: new Date() } });
    },
  };
}

export type DeliveriesRepo = ReturnType<typeof createDeliveriesRepo>;
