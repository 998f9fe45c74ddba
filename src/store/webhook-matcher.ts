// Which webhooks get an event: answered from a per-process copy of each account's subscriptions,
// checked against the account's version (account-versions.ts) on every publish — read by the publish
// itself, or already by its authentication.
//
// Why not a query: FerretDB (the embedded server) pushes only a lone `_id` filter down to SQLite, so
// `{ account_id, event_types }` scanned every webhook of every account on every publish (108 ms of
// FerretDB CPU per event with 1,011 webhooks stored). A real mongod would use its index; the version
// read costs either of them about as much as an indexed query.
//
// Freshness: every write of a webhook (create, change, delete) sets the account's version to a new
// value after the write, and a publish reads the version after it started, so a publish that starts
// after a webhook call returned sees the change. A process that dies between the write and the version
// (its caller saw an error) leaves copies stale until the next change or `maxAgeMs`, whichever first.
import type { EventScope, EventType } from '../domain/event-catalogue.js';
import type { AccountVersion, AccountVersions } from './account-versions.js';
import type { WebhookDoc } from './documents.js';
import type { Collections } from './mongo.js';
import { accountWebhooks } from './webhook-entries.js';

/** What matching needs of a webhook (never its secrets). */
export type Subscription = Pick<WebhookDoc, '_id' | 'url' | 'event_types' | 'inbox_ids' | 'pod_ids'>;

export interface MatchedEvent {
  account_id: string;
  type: EventType;
  inbox_id: string | null;
  pod_id: string | null;
  /** The type's scope at publish (types added at run time); absent for built-in types stored before. */
  scope?: EventScope;
  /** The webhook an event is about (`webhook.unhealthy`): it never gets it. */
  source_webhook_id?: string;
}

/**
 * Subscribed to the event's type and in its scope: a webhook limited to inboxes (pods) gets only
 * events of those inboxes (pods); account-level events ignore scope.
 */
export function subscribes(webhook: Subscription, event: MatchedEvent, accountLevel: boolean): boolean {
  if (!webhook.event_types.includes(event.type) || webhook._id === event.source_webhook_id) return false;
  if (accountLevel) return true;
  const inScope = (ids: string[], id: string | null) => id === null || ids.length === 0 || ids.includes(id);
  return inScope(webhook.inbox_ids, event.inbox_id) && inScope(webhook.pod_ids, event.pod_id);
}

export interface MatcherOptions {
  /** A copy older than this is read again even if the version did not move. */
  maxAgeMs?: number;
  /** Accounts kept; the least recently used go first. */
  maxAccounts?: number;
  now?: () => number;
  /**
   * false (HERALD_SPEEDUP_WEBHOOK_MATCHER=off, the plain path): no copy, every match reads the account's
   * webhooks through their entries.
   */
  copies?: boolean;
}

export interface MatchOptions {
  /** The previous page's last webhook id. */
  after?: string;
  limit?: number;
  /** The account's version, when this request read it already (to authenticate): not read again. */
  version?: AccountVersion;
}

function subscription({ _id, url, event_types, inbox_ids, pod_ids }: WebhookDoc): Subscription {
  return { _id, url, event_types, inbox_ids, pod_ids };
}

export function createWebhookMatcher(
  c: Collections,
  versions: AccountVersions,
  { maxAgeMs = 60_000, maxAccounts = 10_000, now = Date.now, copies: keepCopies = true }: MatcherOptions = {},
) {
  const copies = new Map<string, { version: AccountVersion; readAt: number; subscriptions: Subscription[] }>();

  async function subscriptionsOf(accountId: string, known: AccountVersion | undefined): Promise<Subscription[]> {
    if (!keepCopies) return (await accountWebhooks(c, accountId)).map(subscription);
    // The version is read before the webhooks: a write that lands in between moves it again afterwards.
    const version = known !== undefined ? known : await versions.read(accountId);
    const copy = copies.get(accountId);
    copies.delete(accountId);
    if (copy && copy.version === version && now() - copy.readAt < maxAgeMs) {
      copies.set(accountId, copy);
      return copy.subscriptions;
    }
    // Through the account's webhook entries (webhook-entries.ts): FerretDB scans every webhook for `account_id`.
    const subscriptions = (await accountWebhooks(c, accountId)).map(subscription);
    copies.set(accountId, { version, readAt: now(), subscriptions });
    if (copies.size > maxAccounts) copies.delete(copies.keys().next().value as string);
    return subscriptions;
  }

  return {
    /** The matching webhooks in id order, after `after` (the previous page's last id), at most `limit`. */
    async matching(event: MatchedEvent, accountLevel: boolean, { after, limit, version }: MatchOptions = {}) {
      const matches: Subscription[] = [];
      for (const webhook of await subscriptionsOf(event.account_id, version)) {
        if (after !== undefined && webhook._id <= after) continue;
        if (!subscribes(webhook, event, accountLevel)) continue;
        matches.push(webhook);
        if (limit !== undefined && matches.length >= limit) break;
      }
      return matches;
    },

    /** Marks the account's webhooks changed: every process reads them again on its next publish. */
    touch: versions.touch,
  };
}

export type WebhookMatcher = ReturnType<typeof createWebhookMatcher>;
