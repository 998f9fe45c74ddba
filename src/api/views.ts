// Stored documents → the API's wire shape (snake_case, ISO-8601 dates, no secrets).
import type { AccountDoc, DeliveryDoc, EventDoc, WebhookDoc } from '../store/documents.js';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function accountView(a: AccountDoc) {
  return { id: a._id, name: a.name, created_at: iso(a.created_at) };
}

export function webhookView(w: WebhookDoc) {
  return {
    id: w._id,
    account_id: w.account_id,
    url: w.url,
    name: w.name,
    event_types: w.event_types,
    inbox_ids: w.inbox_ids,
    pod_ids: w.pod_ids,
    client_id: w.client_id,
    status: w.status,
    enabled: w.enabled,
    failure_count: w.failure_count,
    last_delivered_at: iso(w.last_delivered_at),
    last_failure_at: iso(w.last_failure_at),
    last_error: w.last_error,
    created_at: iso(w.created_at),
    updated_at: iso(w.updated_at),
  };
}

export function eventView(e: EventDoc) {
  return {
    id: e.id,
    type: e.type,
    account_id: e.account_id,
    inbox_id: e.inbox_id,
    pod_id: e.pod_id,
    data: e.data,
    created_at: iso(e.created_at),
  };
}

export function deliveryView(d: DeliveryDoc, temporalUiUrl: string | undefined, namespace: string) {
  return {
    id: d._id,
    account_id: d.account_id,
    webhook_id: d.webhook_id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    attempts: d.attempts.map((a) => ({ ...a, started_at: iso(a.started_at) })),
    next_attempt_at: iso(d.next_attempt_at),
    workflow_id: d.workflow_id,
    temporal_ui_url: temporalUiUrl
      ? `${temporalUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(d.workflow_id)}`
      : null,
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
  };
}
