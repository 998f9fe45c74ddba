// PATCH semantics of `webhooks.update`: only the given fields change; inbox and pod ids are added and
// removed rather than replaced, and the limits must hold after applying.
import type { z } from 'zod';
import type { WebhookDoc } from '../store/documents.js';
import { MAX_SCOPE_IDS, type UpdateWebhookInput } from './schemas.js';
import { fieldError } from './url-check.js';

type Update = z.infer<typeof UpdateWebhookInput>;

function applyScopeChanges(current: string[], add: string[] = [], remove: string[] = [], kind: 'inbox' | 'pod'): string[] {
  const both = add.find((id) => remove.includes(id));
  if (both) throw fieldError(`remove_${kind}_ids`, `${both} is also in add_${kind}_ids`);
  const kept = current.filter((id) => !remove.includes(id));
  const result = [...kept, ...add.filter((id) => !kept.includes(id))];
  if (result.length > MAX_SCOPE_IDS) {
    throw fieldError(`add_${kind}_ids`, `would give the webhook ${result.length} ${kind} ids; at most ${MAX_SCOPE_IDS} are allowed`);
  }
  return result;
}

/** The stored fields that change (status changes go through the lifecycle, not here). */
export function planWebhookUpdate(webhook: WebhookDoc, input: Update): Partial<WebhookDoc> {
  const fields: Partial<WebhookDoc> = {};
  if (input.url !== undefined && input.url !== webhook.url) fields.url = input.url;
  if (input.name !== undefined && input.name !== webhook.name) fields.name = input.name;
  if (input.event_types !== undefined) fields.event_types = input.event_types;
  if (input.propagate_trace !== undefined && input.propagate_trace !== (webhook.propagate_trace ?? false)) {
    fields.propagate_trace = input.propagate_trace;
  }
  if (input.add_inbox_ids || input.remove_inbox_ids) {
    fields.inbox_ids = applyScopeChanges(webhook.inbox_ids, input.add_inbox_ids, input.remove_inbox_ids, 'inbox');
  }
  if (input.add_pod_ids || input.remove_pod_ids) {
    fields.pod_ids = applyScopeChanges(webhook.pod_ids, input.add_pod_ids, input.remove_pod_ids, 'pod');
  }
  return fields;
}
