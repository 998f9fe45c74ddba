import type { WebhookHealthDoc, WebhookStatus } from './documents.js';
import type { Collections } from './mongo.js';

export function createWebhookHealthRepo(c: Collections) {
  return {
    get(webhookId: string): Promise<WebhookHealthDoc | null> {
      return c.webhookHealth.findOne({ _id: webhookId });
    },

    async set(webhookId: string, change: { status: WebhookStatus; resuming: boolean }, now = new Date()): Promise<void> {
      await c.webhookHealth.updateOne({ _id: webhookId }, { $set: { ...change, updated_at: now } }, { upsert: true });
    },

    async delete(webhookId: string): Promise<void> {
      await c.webhookHealth.deleteOne({ _id: webhookId });
    },
  };
}

export type WebhookHealthRepo = ReturnType<typeof createWebhookHealthRepo>;
