import type { Filter } from 'mongodb';
import type { EventType } from '../domain/event-catalogue.js';
import { newId } from '../domain/ids.js';
import { generateSecret } from '../domain/signing.js';
import type { WebhookDoc, WebhookStatus } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export interface NewWebhook {
  url: string;
  event_types: EventType[];
  inbox_ids: string[];
  pod_ids: string[];
  name: string | null;
  client_id: string | null;
  enabled: boolean;
}

export interface RecordedOutcome {
  seq: number;
  failureCount: number;
  previousFailureCount: number;
}

export interface WebhookListQuery {
  limit: number;
  after?: string;
  ascending: boolean;
  status?: WebhookStatus;
  inbox_id?: string;
  event_type?: EventType;
}

/** Secrets still valid at `now`: the current one and rotated ones within their grace period. */
export function validSecrets(webhook: Pick<WebhookDoc, 'secrets'>, now: Date): string[] {
  return webhook.secrets.filter((s) => s.expires_at === null || s.expires_at > now).map((s) => s.value);
}

/** A strictly later `updated_at`, so that two writes in one millisecond still differ in version. */
function nextVersion(previous: Date, now: Date): Date {
  return now > previous ? now : new Date(previous.getTime() + 1);
}

export function createWebhooksRepo(c: Collections) {
  return {
    /**
     * Creates a webhook, or returns the existing one when the account already created one with the
     * same client_id (`created: false`; its secret is not shown again).
     */
    async create(accountId: string, input: NewWebhook, now = new Date()): Promise<{ webhook: WebhookDoc; created: boolean }> {
      const webhook: WebhookDoc = {
        _id: newId('wh'),
        account_id: accountId,
        ...input,
        ...(input.client_id ? { client_key: `${accountId}/${input.client_id}` } : {}),
        status: input.enabled ? 'active' : 'disabled',
        failure_count: 0,
        last_delivered_at: null,
        last_failure_at: null,
        last_error: null,
        secrets: [{ value: generateSecret(), created_at: now, expires_at: null }],
        created_at: now,
        updated_at: now,
      };
      try {
        await c.webhooks.insertOne(webhook);
        return { webhook, created: true };
      } catch (error) {
        if (!isDuplicateKey(error) || !webhook.client_key) throw error;
        const existing = await c.webhooks.findOne({ client_key: webhook.client_key });
        if (!existing) throw error;
        return { webhook: existing, created: false };
      }
    },

    /** The webhook the account created with this client_id, if any. */
    byClientId(accountId: string, clientId: string): Promise<WebhookDoc | null> {
      return c.webhooks.findOne({ client_key: `${accountId}/${clientId}` });
    },

    count(accountId: string): Promise<number> {
      return c.webhooks.countDocuments({ account_id: accountId });
    },

    /** Scoped by account: another account's webhook is simply not found. */
    get(accountId: string, webhookId: string): Promise<WebhookDoc | null> {
      return c.webhooks.findOne({ _id: webhookId, account_id: accountId });
    },

    /** Unscoped, for the delivery path (which already knows the webhook belongs to the event's account). */
    byId(webhookId: string): Promise<WebhookDoc | null> {
      return c.webhooks.findOne({ _id: webhookId });
    },

    async list(accountId: string, q: WebhookListQuery): Promise<{ webhooks: WebhookDoc[]; count: number; next: string | null }> {
      const filter: Filter<WebhookDoc> = { account_id: accountId };
      if (q.status) filter.status = q.status;
      if (q.inbox_id) filter.inbox_ids = q.inbox_id;
      if (q.event_type) filter.event_types = q.event_type;
      const count = await c.webhooks.countDocuments(filter);
      // ULIDs sort by creation time, so the last id seen is a cursor that stays stable under inserts.
      if (q.after) filter._id = q.ascending ? { $gt: q.after } : { $lt: q.after };
      const page = await c.webhooks
        .find(filter)
        .sort({ _id: q.ascending ? 1 : -1 })
        .limit(q.limit + 1)
        .toArray();
      const more = page.length > q.limit;
      const webhooks = more ? page.slice(0, q.limit) : page;
      return { webhooks, count, next: more ? (webhooks.at(-1)?._id ?? null) : null };
    },

    update(accountId: string, webhookId: string, update: Parameters<Collections['webhooks']['updateOne']>[1]) {
      return c.webhooks.findOneAndUpdate({ _id: webhookId, account_id: accountId }, update, { returnDocument: 'after' });
    },

    /**
     * Sets fields only if nobody changed the webhook since it was read (`updated_at` as the version), so
     * read-modify-write changes such as adding inbox ids never lose a concurrent update. Null when the
     * webhook changed (or is gone): read it again and retry.
     */
    setIfUnchanged(webhook: WebhookDoc, fields: Partial<WebhookDoc>, now = new Date()): Promise<WebhookDoc | null> {
      return c.webhooks.findOneAndUpdate(
        { _id: webhook._id, account_id: webhook.account_id, updated_at: webhook.updated_at },
        { $set: { ...fields, updated_at: nextVersion(webhook.updated_at, now) } },
        { returnDocument: 'after' },
      );
    },

    async delete(accountId: string, webhookId: string): Promise<WebhookDoc | null> {
      return c.webhooks.findOneAndDelete({ _id: webhookId, account_id: accountId });
    },

    /**
     * Webhooks that should get a delivery of this event: subscribed to its type, and in scope, but never
     * the webhook the event is about (`webhook.unhealthy` goes to the account's other webhooks). Sorted by
     * id, so that `after` (the last id of the previous page) pages through them.
     */
    matching(
      event: { account_id: string; type: EventType; inbox_id: string | null; pod_id: string | null; source_webhook_id?: string },
      accountLevel: boolean,
      after?: string,
    ) {
      const filter: Filter<WebhookDoc> = { account_id: event.account_id, event_types: event.type };
      if (after || event.source_webhook_id) {
        filter._id = { ...(after ? { $gt: after } : {}), ...(event.source_webhook_id ? { $ne: event.source_webhook_id } : {}) };
      }
      if (!accountLevel) {
        const scopes: Filter<WebhookDoc>[] = [];
        if (event.inbox_id) scopes.push({ $or: [{ inbox_ids: { $size: 0 } }, { inbox_ids: event.inbox_id }] });
        if (event.pod_id) scopes.push({ $or: [{ pod_ids: { $size: 0 } }, { pod_ids: event.pod_id }] });
        if (scopes.length > 0) filter.$and = scopes;
      }
      return c.webhooks.find(filter, { projection: { secrets: 0 } }).sort({ _id: 1 });
    },

    /**
     * Keeps the webhook's delivery statistics current after an attempt, in one update whose `seq`
     * orders it among concurrent ones. Null when the webhook no longer exists. Exact on MongoDB;
     * FerretDB 1.x reads and rewrites the document, so of two attempts finishing at the same instant
     * one write can be lost (a count off by one; their reports then share a seq and one is ignored).
     */
    async recordOutcome(webhookId: string, success: boolean, error: string | null, at: Date): Promise<RecordedOutcome | null> {
      const before = await c.webhooks.findOneAndUpdate(
        { _id: webhookId },
        success
          ? { $set: { last_delivered_at: at, failure_count: 0 }, $inc: { health_seq: 1 } }
          : { $set: { last_failure_at: at, last_error: error }, $inc: { failure_count: 1, health_seq: 1 } },
        { returnDocument: 'before' },
      );
      if (!before) return null;
      return {
        seq: (before.health_seq ?? 0) + 1,
        previousFailureCount: before.failure_count,
        failureCount: success ? 0 : before.failure_count + 1,
      };
    },

    /**
     * The webhook's health fields as the health workflow set them (what the API shows); bumps
     * `health_seq`, so that reports of attempts made before are recognised as stale.
     */
    setHealth(webhookId: string, set: Partial<WebhookDoc>, now = new Date()) {
      return c.webhooks.findOneAndUpdate(
        { _id: webhookId },
        { $set: { ...set, updated_at: now }, $inc: { health_seq: 1 } },
        { returnDocument: 'after' },
      );
    },

    /**
     * A new current secret; the valid old ones stay valid until now + grace at the latest, keeping the
     * newest `maxOld`. Null when the webhook does not exist (for this account).
     */
    async rotateSecret(accountId: string, webhookId: string, graceSeconds: number, maxOld: number, now = new Date()) {
      for (let tries = 0; tries < 10; tries++) {
        const webhook = await this.get(accountId, webhookId);
        if (!webhook) return null;
        const rotated = await this.rotateFrom(webhook, graceSeconds, maxOld, now);
        if (rotated) return rotated;
        // Changed concurrently (another rotation, an update): rotate from the current state.
      }
      throw new Error(`webhook ${webhookId} kept changing during the secret rotation`);
    },

    async rotateFrom(webhook: WebhookDoc, graceSeconds: number, maxOld: number, now: Date) {
      const expires = new Date(now.getTime() + graceSeconds * 1000);
      const old = webhook.secrets
        .filter((s) => s.expires_at === null || s.expires_at > now)
        .map((s) => ({ ...s, expires_at: s.expires_at === null || s.expires_at > expires ? expires : s.expires_at }))
        .filter((s) => s.expires_at > now)
        .slice(-maxOld);
      const secret = generateSecret();
      const secrets = [...old, { value: secret, created_at: now, expires_at: null }];
      const updated = await this.setIfUnchanged(webhook, { secrets }, now);
      return updated ? { webhook: updated, secret } : null;
    },
  };
}

export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
