// The built-in event types: the union of the seeds' (daimon.email, AgentMail, Sendmux) and Herald's
// own. Each has a JSON Schema (draft 2020-12) of its `data`, the type's fields that a receiver finds at
// the top level of the envelope. Operators add their own types at run time (src/store/event-types-repo.ts);
// built-in types cannot be changed or archived, so checking them needs no database read.
//
// Only daimon documents payloads: its types accept its documented shape, and where Herald had shapes of
// its own before (message.received, message.bounced, account.upgraded, webhook.unhealthy), those stay
// accepted beside it (`anyOf`), so no producer that worked before breaks. Types without a documented
// example accept any object. Every object stays open to extra fields: producers add fields faster than
// the catalogue changes, and refusing them would lose data.
import { z } from 'zod';
import { DAIMON_EVENT_EXAMPLES } from './daimon-event-examples.js';
import {
  DAIMON_ACCOUNT_UPGRADED,
  DAIMON_MESSAGE_BOUNCED,
  DAIMON_MESSAGE_COMPLAINT,
  DAIMON_MESSAGE_RECEIVED,
  DAIMON_WEBHOOK_UNHEALTHY,
} from './daimon-event-schemas.js';

export type JsonSchema = Record<string, unknown>;

/** An event type's name: the catalogue decides which exist (built-in or added at run time). */
export type EventType = string;

export type EventScope = 'message' | 'account';

/** Dotted, lowercase: `message.received`, `invoice.paid.late`. */
export const EVENT_TYPE_NAME_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
export const EVENT_TYPE_NAME_MAX = 100;

/**
 * The envelope's own fields (envelope.ts): a producer's `data` must not carry them, or it would
 * overwrite `account_id` or `event_id` at the receiver.
 */
export const ENVELOPE_KEYS = ['event', 'event_id', 'timestamp', 'account_id', 'inbox_id', 'pod_id'] as const;

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export interface EventTypeDefinition {
  name: EventType;
  description: string;
  /** Account-level events ignore a webhook's inbox/pod scope. */
  scope: EventScope;
  /** JSON Schema (draft 2020-12) of the event's `data`. */
  schema: JsonSchema;
  /** Who documents it: a seed platform, Herald, or an operator (`custom`). */
  source: 'daimon' | 'agentmail' | 'sendmux' | 'herald' | 'custom';
  built_in: boolean;
  /** Herald emits it itself. */
  emitted_by_herald: boolean;
  /** Producers may publish it (`webhook.test` exists only as Herald's test request). */
  publishable: boolean;
  archived_at: Date | null;
  /**
   * An example webhook body of the type, as a receiver gets it: the envelope's fields where given and the
   * type's own fields, which match `schema`. daimon's documented examples for its types; null where none.
   */
  example: Record<string, unknown> | null;
}

// Herald's shapes from before the seeds were followed. Kept in zod (their first form) and turned into
// JSON Schema once below; the top level is open like every other object.
const email = z.string().min(3).max(320);
const iso = z.iso.datetime({ offset: true });
const HeraldMessage = z.looseObject({
  id: z.string().min(1).max(255),
  thread_id: z.string().max(255).optional(),
  from: email,
  to: z.array(email).max(100).optional(),
  cc: z.array(email).max(100).optional(),
  subject: z.string().max(2_000).optional(),
  text: z.string().optional(),
  html: z.string().optional(),
  labels: z.array(z.string().max(100)).max(50).optional(),
  created_at: iso.optional(),
});
const Recipients = z.array(email).min(1).max(100);
const HERALD_SHAPES = {
  'message.received': z.looseObject({ message: HeraldMessage }),
  'message.bounced': z.looseObject({
    message: HeraldMessage,
    bounce: z.looseObject({
      type: z.enum(['hard', 'soft', 'undetermined']),
      recipients: Recipients,
      diagnostic: z.string().max(2_000).optional(),
    }),
  }),
  'account.upgraded': z.looseObject({
    account: z.looseObject({ plan: z.string().min(1).max(100), previous_plan: z.string().max(100).optional() }),
  }),
  'webhook.unhealthy': z.looseObject({
    webhook: z.looseObject({
      id: z.string(),
      url: z.string(),
      event_types: z.array(z.string()),
      status: z.string(),
      failure_count: z.number().int(),
      last_error: z.string().nullable(),
      last_success_at: iso.nullable(),
      last_failure_at: iso.nullable(),
    }),
  }),
  'webhook.test': z.looseObject({ webhook: z.looseObject({ id: z.string(), url: z.string() }), message: z.string() }),
};

function heraldShape(name: keyof typeof HERALD_SHAPES): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(HERALD_SHAPES[name], { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  return schema;
}

/** daimon's documented shape, or Herald's earlier one. */
const eitherShape = (daimon: JsonSchema, herald: keyof typeof HERALD_SHAPES, description: string): JsonSchema => ({
  $schema: JSON_SCHEMA_DIALECT,
  description,
  anyOf: [daimon, heraldShape(herald)],
});
const documented = (schema: JsonSchema, description: string): JsonSchema => ({ $schema: JSON_SCHEMA_DIALECT, description, ...schema });
/** No seed documents a payload for it: any object. */
const open = (description = 'No seed documents a payload for this type: any object.'): JsonSchema => ({
  $schema: JSON_SCHEMA_DIALECT,
  description,
  type: 'object',
});

type Definition = Omit<EventTypeDefinition, 'name' | 'built_in' | 'archived_at' | 'emitted_by_herald' | 'publishable' | 'example'> &
  Partial<Pick<EventTypeDefinition, 'emitted_by_herald' | 'publishable'>>;

const DEFINITIONS: Record<string, Definition> = {
  // daimon.email
  'message.received': {
    description: 'An inbox received a message.',
    scope: 'message',
    source: 'daimon',
    schema: eitherShape(DAIMON_MESSAGE_RECEIVED, 'message.received', "daimon's `message`, or Herald's earlier `message`."),
  },
  'message.bounced': {
    description: 'A sent message bounced.',
    scope: 'message',
    source: 'daimon',
    schema: eitherShape(
      DAIMON_MESSAGE_BOUNCED,
      'message.bounced',
      "daimon's `message_id`, `bounce`, `original_message`, or Herald's earlier `message` and `bounce.recipients`.",
    ),
  },
  'message.complaint': {
    description: 'A recipient marked a sent message as spam (daimon.email).',
    scope: 'message',
    source: 'daimon',
    schema: documented(DAIMON_MESSAGE_COMPLAINT, "daimon's `message_id`, `complaint`, `original_message`."),
  },
  'account.upgraded': {
    description: 'The account upgraded to a paid tier.',
    scope: 'account',
    source: 'daimon',
    schema: eitherShape(DAIMON_ACCOUNT_UPGRADED, 'account.upgraded', "daimon's `upgrade`, or Herald's earlier `account.plan`."),
  },
  'webhook.unhealthy': {
    description: 'A webhook failed repeatedly and was marked unhealthy. Herald emits it for its own webhooks.',
    scope: 'account',
    source: 'daimon',
    emitted_by_herald: true,
    schema: eitherShape(
      DAIMON_WEBHOOK_UNHEALTHY,
      'webhook.unhealthy',
      "daimon's `webhook_id` and `webhook`, or Herald's earlier `webhook`.",
    ),
  },
  // AgentMail
  'message.sent': { description: 'A message was sent (AgentMail).', scope: 'message', source: 'agentmail', schema: open() },
  'message.delivered': {
    description: "A sent message reached the recipient's mail server (AgentMail, Sendmux, daimon).",
    scope: 'message',
    source: 'agentmail',
    schema: open(),
  },
  'message.complained': {
    description: 'A recipient marked a sent message as spam (AgentMail, Sendmux, daimon).',
    scope: 'message',
    source: 'agentmail',
    schema: open(),
  },
  'message.rejected': {
    description: 'A message was rejected before sending (AgentMail, Sendmux).',
    scope: 'message',
    source: 'agentmail',
    schema: open(),
  },
  'domain.verified': { description: 'A sending domain was verified (AgentMail).', scope: 'account', source: 'agentmail', schema: open() },
  // Sendmux
  'message.delivery_delayed': {
    description: 'Delivery of a sent message is delayed (Sendmux).',
    scope: 'message',
    source: 'sendmux',
    schema: open(),
  },
  'message.received.spam': {
    description: 'An inbox received a message classified as spam (Sendmux).',
    scope: 'message',
    source: 'sendmux',
    schema: open(),
  },
  'sendmux.test': {
    description: "A test event to verify delivery end to end (Sendmux's `POST /webhooks/{id}/test`).",
    scope: 'account',
    source: 'sendmux',
    schema: open(),
  },
  // Herald
  'webhook.test': {
    description: 'A test event sent on request to check an endpoint (emitted by Herald).',
    scope: 'account',
    source: 'herald',
    emitted_by_herald: true,
    publishable: false,
    schema: documented(heraldShape('webhook.test'), 'The webhook tested and a message.'),
  },
};

export const BUILT_IN_EVENT_TYPES: ReadonlyMap<EventType, EventTypeDefinition> = new Map(
  Object.entries(DEFINITIONS).map(([name, definition]) => [
    name,
    {
      emitted_by_herald: false,
      publishable: true,
      ...definition,
      name,
      built_in: true,
      archived_at: null,
      example: DAIMON_EVENT_EXAMPLES[name] ?? null,
    },
  ]),
);

/** The built-in names, in catalogue order. */
export const BUILT_IN_EVENT_TYPE_NAMES = [...BUILT_IN_EVENT_TYPES.keys()];

export function builtInEventType(name: string): EventTypeDefinition | undefined {
  return BUILT_IN_EVENT_TYPES.get(name);
}

/**
 * Whether an event ignores a webhook's inbox/pod scope. Events carry the scope their type had when they
 * were published; events stored before that, only built-in types, looked up here.
 */
export function isAccountLevel(event: { type: EventType; scope?: EventScope }): boolean {
  return (event.scope ?? builtInEventType(event.type)?.scope) === 'account';
}
