import type { EventType } from '../domain/event-catalogue.js';
import { newId } from '../domain/ids.js';
import { generateSecret } from '../domain/signing.js';
import type { WebhookDoc, WebhookStatus } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';
import { deleteClaims, writeVersioned } from './versioned-write.js';
import {
  accountWebhooks,
  addClientEntry,
  addWebhookEntry,
  removeClientEntry,
  removeWebhookEntry,
  webhookByClientId,
} from './webhook-entries.js';
import type { MatchedEvent, MatchOptions, WebhookMatcher } from './webhook-matcher.js';
import { createWebhookSlots } from './webhook-slots.js';
import { NO_STATS } from './webhook-stats-repo.js';

export interface NewWebhook {
  url: string;
  event_types: EventType[];
  inbox_ids: string[];
  pod_ids: string[];
  name: string | null;
  client_id: string | null;
  enabled: boolean;
  /** Absent: false (see WebhookDoc). */
  propagate_trace?: boolean;
  /** A `herald listen` session's temporary webhook (see WebhookDoc). */
  listen_session?: string;
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

/** The fields only the webhook's health workflow writes. */
export type HealthFields = Pick<WebhookDoc, 'status' | 'resuming'>;

/**
 * Lookups go by `_id` alone and the account is compared here: on FerretDB any other filter (even
 * `{ _id, account_id }`) scans the whole collection. Another account's webhook is simply not found.
 */
function ownedBy(accountId: string, webhook: WebhookDoc | null): WebhookDoc | null {
  return webhook && webhook.account_id === accountId ? webhook : null;
}

export function createWebhooksRepo(c: Collections, matcher: WebhookMatcher) {
  const versioned = { docs: c.webhooks, claims: c.writeClaims, scope: 'webhooks' };
  const slots = createWebhookSlots(c);
  /**
   * Every write of a webhook document goes through here (a version-claimed read-modify-write, see
   * versioned-write.ts): API edits, secret rotations and the health workflow's status changes never
   * undo one another. `plan` gets the current document and answers the fields to set; it may run
   * more than once. Null when the webhook does not exist (for this account, when one is given).
   */
  async function change(
    webhookId: string,
    accountId: string | null,
    plan: (current: WebhookDoc) => Partial<WebhookDoc> | null | Promise<Partial<WebhookDoc> | null>,
  ): Promise<WebhookDoc | null> {
    let changed = false;
    const webhook = await writeVersioned(
      versioned,
      webhookId,
      async (current) => {
        const fields = await plan(current);
        changed ||= fields !== null;
        return fields;
      },
      { accepts: (current) => accountId === null || current.account_id === accountId },
    );
    if (webhook && changed) await matcher.touch(webhook.account_id);
    return webhook;
  }

  return {
    change,

    /**
     * Creates a webhook, or returns the existing one when the account already created one with the
     * same client_id (`created: false`; its secret is not shown again).
     */
    async create(
      accountId: string,
      input: NewWebhook,
      now = new Date(),
      /** Given when a slot was claimed for it (webhook-slots.ts). */
      id = newId('wh'),
    ): Promise<{ webhook: WebhookDoc; created: boolean }> {
      const webhook: WebhookDoc = {
        _id: id,
        account_id: accountId,
        ...input,
        ...(input.client_id ? { client_key: `${accountId}/${input.client_id}` } : {}),
        status: input.enabled ? 'active' : 'disabled',
        secrets: [{ value: generateSecret(), created_at: now, expires_at: null }],
        created_at: now,
        updated_at: now,
      };
      // Its entry first: one left without its webhook is skipped (webhook-entries.ts).
      await addWebhookEntry(c, accountId, webhook._id);
      if (input.client_id) await addClientEntry(c, accountId, input.client_id, webhook._id);
      try {
        await c.webhooks.insertOne(webhook);
        // Its statistics exist from the start, so that every attempt records its outcome in one
        // command. Not made here (an error, or a webhook created before this was done), the first
        // attempt makes them: nothing is lost, so an error here does not fail the creation.
        await c.webhookStats.insertOne({ _id: webhook._id, ...NO_STATS }).catch(() => {});
        await matcher.touch(accountId);
        return { webhook, created: true };
      } catch (error) {
        await removeWebhookEntry(c, accountId, webhook._id);
        if (input.client_id) await removeClientEntry(c, accountId, input.client_id, webhook._id);
        if (!isDuplicateKey(error) || !input.client_id) throw error;
        // The webhook that holds the client_id made its entry before it was inserted.
        const existing = await webhookByClientId(c, accountId, input.client_id);
        if (!existing) throw error;
        await addWebhookEntry(c, accountId, existing._id);
        // The first call may have died before marking the account's webhooks changed.
        await matcher.touch(accountId);
        return { webhook: existing, created: false };
      }
    },

    /** The webhook the account created with this client_id, if any. */
    byClientId(accountId: string, clientId: string): Promise<WebhookDoc | null> {
      return webhookByClientId(c, accountId, clientId);
    },

    /** Scoped by account: another account's webhook is simply not found. */
    async get(accountId: string, webhookId: string): Promise<WebhookDoc | null> {
      return ownedBy(accountId, await c.webhooks.findOne({ _id: webhookId }));
    },

    /**
     * The current signing secret of each of these webhooks of the account, in one read: only the
     * AgentMail compat face shows it after create (AgentMail documents `secret` on every read).
     */
    async currentSecrets(accountId: string, webhookIds: string[]): Promise<Map<string, string>> {
      const secrets = new Map<string, string>();
      if (webhookIds.length === 0) return secrets;
      const docs = await c.webhooks.find({ _id: { $in: webhookIds } }, { projection: { account_id: 1, secrets: 1 } }).toArray();
      for (const doc of docs) {
        const current = doc.account_id === accountId ? doc.secrets.at(-1)?.value : undefined;
        if (current) secrets.set(doc._id, current);
      }
      return secrets;
    },

    /** Unscoped, for the delivery path (which already knows the webhook belongs to the event's account). */
    byId(webhookId: string): Promise<WebhookDoc | null> {
      return c.webhooks.findOne({ _id: webhookId });
    },

    /** Filtered and counted over the account's webhooks (at most HERALD_MAX_WEBHOOKS_PER_ACCOUNT): webhook-entries.ts. */
    async list(accountId: string, q: WebhookListQuery): Promise<{ webhooks: WebhookDoc[]; count: number; next: string | null }> {
      const matching = (await accountWebhooks(c, accountId)).filter(
        (w) =>
          (!q.status || w.status === q.status) &&
          (!q.inbox_id || w.inbox_ids.includes(q.inbox_id)) &&
          (!q.event_type || w.event_types.includes(q.event_type)),
      );
      const count = matching.length;
      // ULIDs sort by creation time, so the last id seen is a cursor that stays stable under inserts.
      const after = q.after;
      const ordered = q.ascending ? matching : matching.reverse();
      const page = ordered.filter((w) => after === undefined || (q.ascending ? w._id > after : w._id < after)).slice(0, q.limit + 1);
      const more = page.length > q.limit;
      const webhooks = more ? page.slice(0, q.limit) : page;
      return { webhooks, count, next: more ? (webhooks.at(-1)?._id ?? null) : null };
    },

    /** Deletes the webhook (scoped by account, like `get`), its statistics, and frees its slot. */
    async delete(accountId: string, webhookId: string): Promise<WebhookDoc | null> {
      // Read, check the account, then delete by `_id`: a webhook never changes account.
      const webhook = ownedBy(accountId, await c.webhooks.findOne({ _id: webhookId }));
      if (!webhook) return null;
      const deleted = await c.webhooks.findOneAndDelete({ _id: webhookId });
      if (!deleted) return null;
      await Promise.all([
        deleteClaims(versioned, webhookId),
        c.webhookStats.deleteOne({ _id: webhookId }),
        removeWebhookEntry(c, accountId, webhookId),
        deleted.client_id ? removeClientEntry(c, accountId, deleted.client_id, webhookId) : undefined,
        matcher.touch(accountId),
      ]);
      // Last (a crash before it leaves a slot whose webhook is gone: taken again after its lease).
      await slots.release(accountId, webhookId);
      return deleted;
    },

    /**
     * Webhooks that should get a delivery of this event: subscribed to its type, and in scope, but never
     * the webhook the event is about (`webhook.unhealthy` goes to the account's other webhooks). In id
     * order, so that `after` (the last id of the previous page) pages through them.
     */
    matching(event: MatchedEvent, accountLevel: boolean, options?: MatchOptions) {
      return matcher.matching(event, accountLevel, options);
    },

    /**
     * The health workflow's transitions (status, and `resuming` while parked deliveries are released);
     * `enabled` follows the status. Null when the webhook was deleted.
     */
    setHealth(webhookId: string, fields: HealthFields): Promise<WebhookDoc | null> {
      return change(webhookId, null, (current) =>
        current.status === fields.status && (current.resuming ?? false) === (fields.resuming ?? false)
          ? null
          : { ...fields, enabled: fields.status !== 'disabled' },
      );
    },

    /**
     * A new current secret; the valid old ones stay valid until now + grace at the latest, keeping the
     * newest `maxOld`. Null when the webhook does not exist (for this account).
     */
    async rotateSecret(accountId: string, webhookId: string, graceSeconds: number, maxOld: number, now = new Date()) {
      let secret = '';
      const webhook = await change(webhookId, accountId, (current) => {
        secret = generateSecret();
        return { secrets: rotatedSecrets(current, secret, graceSeconds, maxOld, now) };
      });
      return webhook ? { webhook, secret } : null;
    },
  };
}

/** The secrets after a rotation to `secret` at `now`: the old ones that are still valid expire within the grace period. */
function rotatedSecrets(webhook: WebhookDoc, secret: string, graceSeconds: number, maxOld: number, now: Date) {
  const expires = new Date(now.getTime() + graceSeconds * 1000);
  const old = webhook.secrets
    .filter((s) => s.expires_at === null || s.expires_at > now)
    .map((s) => ({ ...s, expires_at: s.expires_at === null || s.expires_at > expires ? expires : s.expires_at }))
    .filter((s) => s.expires_at > now)
    .slice(-maxOld);
  return [...old, { value: secret, created_at: now, expires_at: null }];
}

export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
