// What happens to a webhook's workflows when the API creates, enables, disables or deletes it.
// The API calls only this; how status is owned (the per-webhook health workflow) stays behind it.
//
// For now status lives in MongoDB only. The health-workflow issue (#6) moves ownership into the
// health workflow: `created` starts it, `enable` becomes a Temporal update with a typed reply, and
// `delete` ends it and cancels parked deliveries.
import type { Client } from '@temporalio/client';
import type { WebhookDoc } from '../store/documents.js';
import type { Store } from '../store/index.js';

export interface WebhookLifecycle {
  created(webhook: WebhookDoc): Promise<void>;
  enable(accountId: string, webhookId: string): Promise<{ webhook: WebhookDoc; resumed_deliveries: number } | null>;
  disable(accountId: string, webhookId: string): Promise<WebhookDoc | null>;
  delete(accountId: string, webhookId: string): Promise<WebhookDoc | null>;
}

export interface LifecycleDeps {
  store: Store;
  client: Client;
  taskQueue: string;
}

export function createWebhookLifecycle({ store }: LifecycleDeps): WebhookLifecycle {
  return {
    async created() {},
    async enable(accountId, webhookId) {
      const webhook = await store.webhooks.update(accountId, webhookId, {
        $set: { enabled: true, status: 'active', failure_count: 0, updated_at: new Date() },
      });
      return webhook ? { webhook, resumed_deliveries: 0 } : null;
    },
    disable(accountId, webhookId) {
      return store.webhooks.update(accountId, webhookId, { $set: { enabled: false, status: 'disabled', updated_at: new Date() } });
    },
    delete(accountId, webhookId) {
      return store.webhooks.delete(accountId, webhookId);
    },
  };
}
