import type { AttemptDoc, DeliveryDoc, DeliveryStatus } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export type ParkedDelivery = Pick<DeliveryDoc, '_id' | 'workflow_id' | 'event_id' | 'event_created_at'>;

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

    /** A webhook's parked deliveries in the order their events were published. */
    parked(webhookId: string, limit: number): Promise<ParkedDelivery[]> {
      return c.deliveries
        .find<ParkedDelivery>(
          { webhook_id: webhookId, status: 'parked' },
          { projection: { _id: 1, workflow_id: 1, event_id: 1, event_created_at: 1 } },
        )
        .sort({ event_created_at: 1, event_id: 1 })
        .limit(limit)
        .toArray();
    },

    countParked(webhookId: string): Promise<number> {
      return c.deliveries.countDocuments({ webhook_id: webhookId, status: 'parked' });
    },

    async setStatus(deliveryId: string, status: DeliveryStatus, nextAttemptAt: Date | null = null): Promise<void> {
      await c.deliveries.updateOne({ _id: deliveryId }, { $set: { status, next_attempt_at: nextAttemptAt, updated_at: new Date() } });
    },
  };
}

export type DeliveriesRepo = ReturnType<typeof createDeliveriesRepo>;
