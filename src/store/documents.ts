// The shapes stored in MongoDB. Field names are the API's (snake_case) so that reading code maps 1:1.

import type { AttemptOutcome } from '../domain/delivery.js';
import type { EventScope, EventType } from '../domain/event-catalogue.js';
import type { WebhookStatus } from '../domain/health.js';

export interface AccountDoc {
  _id: string;
  name: string;
  /** The platform's own id for the account (unique, set at creation); absent on accounts made before. */
  external_id?: string | null;
  created_at: Date;
}

/**
 * An account's `external_id`, claimed under a unique `_id` before the account is inserted (the one
 * atomic uniqueness FerretDB offers), and the lookup by it in one read by `_id`. Carries the whole
 * account, so a create that died between the two inserts is completed by the next claimant.
 */
export interface AccountExternalIdDoc {
  /** The external id. */
  _id: string;
  account_id: string;
  name: string;
  created_at: Date;
}

/** A platform-wide key that may only publish events, for any account (producer-keys-repo.ts). */
export interface ProducerKeyDoc {
  _id: string;
  name: string;
  /** SHA-256 of the key; the key itself is shown once and never stored. */
  key_hash: string;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** How a producer key is found by its hash in one read by `_id`; deleted before the key is marked revoked. */
export interface ProducerKeyHashDoc {
  /** The key's `key_hash`. */
  _id: string;
  key_id: string;
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

/**
 * How a request's key finds its account in one lookup by `_id` (FerretDB uses an index for nothing
 * else): one per usable key, made with the key and deleted before the key is marked revoked. Holds
 * only the hash, like the key's own document.
 */
export interface ApiKeyHashDoc {
  /** The key's `key_hash`. */
  _id: string;
  account_id: string;
  /** The key's `_id`. */
  key_id: string;
}

export type { WebhookStatus };

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
  /**
   * Whether deliveries may be sent (every attempt reads it). Written by the webhook's health workflow
   * only, one transition at a time; the API reads it.
   */
  status: WebhookStatus;
  enabled: boolean;
  /**
   * Set by an enable while the parked deliveries are released in order; new deliveries wait meanwhile.
   * Health workflow only, like `status`. Absent = false.
   */
  resuming?: boolean;
  secrets: WebhookSecret[];
  /** Send W3C `traceparent`/`tracestate` to the receiver (when tracing is on); absent = false. */
  propagate_trace?: boolean;
  /**
   * A temporary webhook of a `herald listen` session (docs/cli.md): its attempts are relayed to the CLI
   * holding the session instead of POSTed; it never turns unhealthy and holds no slot. Absent otherwise.
   */
  listen_session?: string;
  created_at: Date;
  /** Also the document's version: every write sets a strictly later one (see `versioned-write.ts`). */
  updated_at: Date;
}

/** An account's webhooks or API keys changed: a new `version` tells every process to read them again (account-versions.ts). */
export interface WebhookVersionDoc {
  /** The account's id. */
  _id: string;
  version: string;
  updated_at: Date;
}

/**
 * A webhook's delivery statistics, kept apart from the webhook document because every attempt writes
 * them: on a MongoDB-protocol server that rewrites the whole document on each update (FerretDB 1.x),
 * an attempt that shared the webhook's document could put back a secret or settings it read before a
 * rotation or an edit. Made with the webhook (all zero/null); for a webhook created before that, by its
 * first recorded attempt.
 */
export interface WebhookStatsDoc {
  /** The webhook's id. */
  _id: string;
  /** Consecutive failed attempts. */
  failure_count: number;
  last_delivered_at: Date | null;
  last_failure_at: Date | null;
  last_error: string | null;
  /** Bumped by every recorded outcome and by an enable: orders the reports the health workflow gets. */
  health_seq: number;
}

/** An event type added at run time (built-in types live in code: src/domain/event-catalogue.ts). */
export interface EventTypeDoc {
  /** The type's name. */
  _id: string;
  description: string;
  scope: EventScope;
  /** The JSON Schema as JSON text: its keys (`$schema`, `$ref`, …) are not storable as document keys everywhere. */
  schema_json: string | null;
  /** The type's `example` as JSON text, like the schema; absent on types stored before examples existed. */
  example_json?: string | null;
  archived_at: Date | null;
  created_at: Date;
  /** Also the document's version (see `versioned-write.ts`). */
  updated_at: Date;
}

/**
 * The right to write one version of a document: whoever inserts the claim for the version it read is
 * the only writer that may replace that version (a unique `_id` is the one write every
 * MongoDB-protocol server here performs atomically). Deleted after the write; one left behind by a
 * writer that died expires.
 */
export interface WriteClaimDoc {
  /** `${collection}/${document id}/${version (epoch ms)}/${takeover}` */
  _id: string;
  doc_id: string;
  expires_at: Date;
}

/**
 * One of an account's HERALD_MAX_WEBHOOKS_PER_ACCOUNT places for a webhook (webhook-slots.ts): a webhook
 * is created only after its slot was claimed, so the limit holds however many creates run at once.
 */
export interface WebhookSlotDoc {
  /** `${account_id}:${n}`, n from 1 to the limit. */
  _id: string;
  account_id: string;
  n: number;
  /** The webhook holding it (claimed for an id before the webhook is inserted); null = free. */
  webhook_id: string | null;
  claimed_at: Date | null;
  /** The version (see versioned-write.ts): a claim or release of a slot made before is a versioned write. */
  updated_at: Date;
}

/**
 * The right to revoke API keys of an account at its current version (api-key-revocation.ts): revocations
 * claim it (versioned-write.ts) and advance it, so they count the active keys one at a time.
 */
export interface ApiKeyGuardDoc {
  /** The account's id. */
  _id: string;
  updated_at: Date;
}

/** The one replay of a delivery's run that answers 200 (replay.ts); the others answer 409 with its run. */
/** A portal link (portal-repo.ts), by the hash of its token: the token itself is never stored. */
export interface PortalLinkDoc {
  _id: string;
  account_id: string;
  expires_at: Date;
  created_at: Date;
}

/** The one exchange of a portal link: its unique `_id` (the link's) makes the link single-use. */
export interface PortalLinkClaimDoc {
  _id: string;
  account_id: string;
  created_at: Date;
}

/** A portal session, by the hash of its token. */
export interface PortalSessionDoc {
  _id: string;
  account_id: string;
  expires_at: Date;
  created_at: Date;
}

export interface ReplayClaimDoc {
  /** `${delivery_id}/${run_id}`: the run that was reset. */
  _id: string;
  delivery_id: string;
  created_at: Date;
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
  /** When the event happened, as the producer sent it (`occurred_at`): the envelope's `timestamp`. */
  occurred_at?: string;
  /** Its type's scope when it was published (a type added at run time may change or be archived later). */
  scope?: EventScope;
  /** Herald's own events about a webhook (webhook.unhealthy): that webhook is never sent them. */
  source_webhook_id?: string;
  /** Set once every delivery workflow (or the fan-out workflow) was accepted by Temporal. */
  dispatched_at: Date | null;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'parked' | 'cancelled';

export interface AttemptDoc {
  /** Written before attempts were numbered by their position (views number them by position). */
  attempt?: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  response_body: string | null;
  error: string | null;
  outcome: 'success' | 'retry' | 'gone';
  /** The OpenTelemetry trace the attempt's spans belong to, when it was traced (docs/observability.md). */
  trace_id?: string;
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
  /**
   * Only on a delivery whose first attempt was begun before its workflow started (activities/
   * first-attempts.ts: by the API beside the start, or by a large fan-out before its starts): null = the
   * attempt is claimed and not recorded yet; an outcome = made, and the workflow adopts it instead of
   * POSTing. Absent otherwise.
   */
  handoff?: AttemptOutcome | null;
  /**
   * The workflow run that adopted `handoff`. Its own later tasks (a worker died before completing the
   * task) adopt it again instead of POSTing; any other run (a reset, a replay) makes the attempt itself.
   */
  handoff_run?: string;
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

/** A `herald listen` session (src/store/listen-repo.ts): the CLI that holds it forwards its webhook's requests. */
export interface ListenSessionDoc {
  _id: string;
  account_id: string;
  webhook_id: string;
  created_at: Date;
  /** Moved on by the API process that holds the session's connection; the sweep deletes a session gone quiet. */
  last_seen_at: Date;
}

/** One attempt relayed to a listening CLI: `${session}/${time}${random}`, so a session's requests are one `_id` range. */
export interface ListenRequestDoc {
  _id: string;
  session_id: string;
  delivery_id: string;
  event_id: string;
  event_type: string;
  /** The signed request exactly as a receiver would get it (Standard Webhooks headers; no secret). */
  headers: Record<string, string>;
  body: string;
  created_at: Date;
}

/** The CLI's answer to a relayed request (`_id`: the request's). */
export interface ListenResponseDoc {
  _id: string;
  status_code: number | null;
  body: string | null;
  duration_ms: number;
  /** Set when the local URL gave no HTTP answer (refused, timed out). */
  error: string | null;
  created_at: Date;
}
