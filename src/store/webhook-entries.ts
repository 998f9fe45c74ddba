// An account's webhooks through index entries (`~a|<account>|<webhook>` in `webhook_entries`): one `_id`
// range and one `_id: {$in}`, both indexed on MongoDB and on Herald's FerretDB build, instead of a filter
// on `account_id`, which FerretDB answers by reading every webhook of every account. Bounded by the
// account's webhooks (HERALD_MAX_WEBHOOKS_PER_ACCOUNT).
//
// The entry is made before the webhook and removed after it: an entry without its webhook is skipped,
// a webhook without its entry would be invisible to lists and to matching.
import type { WebhookDoc } from './documents.js';
import { byIds, readEntries } from './entry-scan.js';
import { entryKey, keyPart, scopeRange } from './index-keys.js';
import { type Collections, isDuplicateKey } from './mongo.js';

export function webhookEntryKey(accountId: string, webhookId: string): string {
  return entryKey('a', accountId, webhookId);
}

export async function addWebhookEntry(c: Collections, accountId: string, webhookId: string): Promise<void> {
  try {
    await c.webhookEntries.insertOne({ _id: webhookEntryKey(accountId, webhookId), ref: webhookId });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

export async function removeWebhookEntry(c: Collections, accountId: string, webhookId: string): Promise<void> {
  await c.webhookEntries.deleteOne({ _id: webhookEntryKey(accountId, webhookId) });
}

/** The account's webhooks in id order (ids are ULIDs: creation order). */
export async function accountWebhooks(c: Collections, accountId: string): Promise<WebhookDoc[]> {
  const entries = await readEntries(c.webhookEntries, { range: scopeRange(['a', accountId]), ascending: true, limit: 0 });
  const webhooks = await byIds(
    c.webhooks,
    entries.map((e) => e.ref),
  );
  return webhooks.filter((w): w is WebhookDoc => w !== null && w.account_id === accountId);
}

// The webhook an account created with a client_id: an entry `~c|<account>|<client_id>|<webhook>` per
// create that tried it, made before its webhook is inserted (the unique index on `client_key` still
// decides which one exists: at most one). A create that lost removes its entry; one left by a crash
// points to no webhook and is skipped. So the webhook that holds the client_id always has its entry,
// and finding it is one `_id` range and one `_id: {$in}` instead of a filter on `client_key`.
export function clientEntryKey(accountId: string, clientId: string, webhookId: string): string {
  return entryKey('c', accountId, keyPart(clientId), webhookId);
}

export async function addClientEntry(c: Collections, accountId: string, clientId: string, webhookId: string): Promise<void> {
  try {
    await c.webhookEntries.insertOne({ _id: clientEntryKey(accountId, clientId, webhookId), ref: webhookId });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

export async function removeClientEntry(c: Collections, accountId: string, clientId: string, webhookId: string): Promise<void> {
  await c.webhookEntries.deleteOne({ _id: clientEntryKey(accountId, clientId, webhookId) });
}

/** The account's webhook with this client_id, if any. */
export async function webhookByClientId(c: Collections, accountId: string, clientId: string): Promise<WebhookDoc | null> {
  const entries = await readEntries(c.webhookEntries, {
    range: scopeRange(['c', accountId, keyPart(clientId)]),
    ascending: true,
    limit: 0,
  });
  const webhooks = await byIds(
    c.webhooks,
    entries.map((e) => e.ref),
  );
  const clientKey = `${accountId}/${clientId}`;
  return webhooks.find((w): w is WebhookDoc => w !== null && w.client_key === clientKey) ?? null;
}
