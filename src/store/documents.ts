// The shapes stored in MongoDB. Field names are the API's (snake_case) so that reading code maps 1:1.
import type { EventType } from '../domain/event-catalogue.js';

export interface AccountDoc {
  _id: string;
  name: string;
  created_at: Date;
}

export interface ApiKeyDoc {
  _id: string;
  account_id: string;
  name: string;
  /** SHA-256 of the key; the key itself is shown once and never stored. */
  key_hash: string;
  /** The first characters, so that a person can tell keys apart in a list. */
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

export type WebhookStatus = 'active' | 'unhealthy' | 'disabled';

export interface WebhookSecret {
  value: string;
  created_at: Date;
  /** null for the current secret; set on rotation for the old ones (the grace period's end). */
  expires_at: Date | null;
}

export interface WebhookDoc {
  _id: string;
  account_id: string;
  url: string;
  name: string | null;
  event_types: EventType[];
  inbox_ids: string[];
  pod_ids: string[];
  client_id: string | null;
  /** `${account_id}/${client_id}`, only when a client_id was given: a sparse unique index on one field
   * (a compound sparse index would still index every document and collide on missing client ids). */
  client_key?: string;
  status: WebhookStatus;
  enabled: boolean;
  failure_count: number;
  last_delivered_at: Date | null;
  last_failure_at: Date | null;
  last_error: string | null;
  /** Bumped by every recorded outcome and health transition: orders the reports the health workflow gets. */
  health_seq?: number;
  secrets: WebhookSecret[];
  created_at: Date;
  updated_at: Date;
}

/**
 * Whether a webhook's deliveries may be sent: written only by its health workflow (one transition at
 * a time), read by every attempt. A document of its own because a MongoDB-protocol server without
 * atomic updates (FerretDB 1.x rewrites the whole document) would let the attempts' frequent writes
 * to the webhook document undo a status change. Absent until the first transition: then the
 * webhook's own `status` applies.
 */
export interface WebhookHealthDoc {
  _id: string;
  status: WebhookStatus;
  /** Set by an enable while parked deliveries are released in order; new deliveries wait meanwhile. */
  resuming: boolean;
  updated_at: Date;
}

export interface EventDoc {
  /** `${account_id}/${id}`: events are unique per account and producer id without a second index. */
  _id: string;
  id: string;
  account_id: string;
  type: EventType;
  inbox_id: string | null;
  pod_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
  /** Herald's own events about a webhook (webhook.unhealthy): that webhook is never sent them. */
  source_webhook_id?: string;
  /** Set once every delivery workflow (or the fan-out workflow) was accepted by Temporal. */
  dispatched_at: Date | null;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'parked' | 'cancelled';

export interface AttemptDoc {
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  response_body: string | null;
  error: string | null;
  outcome: 'success' | 'retry' | 'gone';
}

export interface DeliveryDoc {
  _id: string;
  account_id: string;
  webhook_id: string;
  event_id: string;
  event_type: EventType;
  event_created_at: Date;
  status: DeliveryStatus;
  attempts: AttemptDoc[];
  next_attempt_at: Date | null;
  workflow_id: string;
  created_at: Date;
  updated_at: Date;
}

/** The first answer to a request sent with an `Idempotency-Key`, kept 24 h (the age is checked in queries). */
export interface IdempotencyDoc {
  /** `${account_id}/${route}/${key}`: one record per account, route and key. */
  _id: string;
  account_id: string;
  route: string;
  key: string;
  /** SHA-256 of the validated input: the same key with another body is a conflict. */
  request_hash: string;
  /** `pending` while the first request runs; `done` once its answer is stored. */
  state: 'pending' | 'done';
  response: unknown;
  created_at: Date;
}
