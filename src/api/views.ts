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

/** A delivery in a list: its attempts summarised (response bodies can be 16 KiB each). */
export function deliverySummaryView(d: DeliveryDoc) {
  const last = d.attempts.at(-1);
  return {
    id: d._id,
    account_id: d.account_id,
    webhook_id: d.webhook_id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    attempt_count: d.attempts.length,
    last_attempt: last
      ? {
          attempt: last.attempt,
          started_at: iso(last.started_at),
          duration_ms: last.duration_ms,
          status_code: last.status_code,
          error: last.error,
          outcome: last.outcome,
        }
      : null,
    next_attempt_at: iso(d.next_attempt_at),
    workflow_id: d.workflow_id,
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
  };
}

export interface TemporalLink {
  uiUrl: string | undefined;
  namespace: string;
  /** The current run, when Temporal still has the workflow. */
  runId: string | null;
}

/** One delivery with every attempt, its workflow's current run and a link to it in the Temporal UI. */
export function deliveryView(d: DeliveryDoc, temporal: TemporalLink) {
  const { attempt_count: _count, last_attempt: _last, ...summary } = deliverySummaryView(d);
  const workflowPath = `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(d.workflow_id)}`;
  return {
    ...summary,
    attempts: d.attempts.map((a) => ({ ...a, started_at: iso(a.started_at) })),
    run_id: temporal.runId,
    temporal_ui_url: temporal.uiUrl
      ? temporal.runId
        ? `${workflowPath}/${encodeURIComponent(temporal.runId)}/history`
        : workflowPath
      : null,
  };
}
