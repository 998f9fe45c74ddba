// The event types Herald delivers, each with the zod schema of its `data`. The same schemas validate
// `events.publish` and generate the JSON Schemas that `event_types.list` serves.
import { z } from 'zod';

const email = z.string().min(3).max(320);
const iso = z.iso.datetime({ offset: true });

// Nested objects stay open (loose): producers add fields faster than we release, and dropping or
// refusing them would lose data. The top level of `data` is strict.
const Message = z
  .looseObject({
    id: z.string().min(1).max(255),
    thread_id: z.string().max(255).optional(),
    from: email,
    to: z.array(email).max(100).default([]),
    cc: z.array(email).max(100).optional(),
    subject: z.string().max(2_000).optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    labels: z.array(z.string().max(100)).max(50).optional(),
    created_at: iso.optional(),
  })
  .describe('The email message the event is about.');

const Recipients = z.array(email).min(1).max(100);

const WebhookSummary = z.looseObject({
  id: z.string(),
  url: z.string(),
  event_types: z.array(z.string()),
  status: z.string(),
  failure_count: z.number().int(),
  last_error: z.string().nullable(),
  last_success_at: iso.nullable(),
  last_failure_at: iso.nullable(),
});

interface EventTypeDefinition {
  description: string;
  data: z.ZodObject;
  /** Account-level events ignore a webhook's inbox/pod scope. */
  scope: 'message' | 'account';
  /** Emitted by Herald itself; producers cannot publish it. */
  internal?: true;
}

export const EVENT_CATALOGUE = {
  'message.received': {
    description: 'An inbox received a message.',
    data: z.strictObject({ message: Message }),
    scope: 'message',
  },
  'message.received.spam': {
    description: 'An inbox received a message that was classified as spam.',
    data: z.strictObject({ message: Message, spam_score: z.number().optional() }),
    scope: 'message',
  },
  'message.sent': {
    description: 'A message was accepted for sending.',
    data: z.strictObject({ message: Message }),
    scope: 'message',
  },
  'message.delivered': {
    description: "A sent message reached the recipients' mail servers.",
    data: z.strictObject({
      message: Message,
      delivery: z.looseObject({ recipients: Recipients, smtp_response: z.string().max(2_000).optional() }).optional(),
    }),
    scope: 'message',
  },
  'message.bounced': {
    description: 'A sent message bounced.',
    data: z.strictObject({
      message: Message,
      bounce: z.looseObject({
        type: z.enum(['hard', 'soft', 'undetermined']),
        recipients: Recipients,
        diagnostic: z.string().max(2_000).optional(),
      }),
    }),
    scope: 'message',
  },
  'message.complained': {
    description: 'A recipient marked a sent message as spam.',
    data: z.strictObject({
      message: Message,
      complaint: z.looseObject({ recipients: Recipients, feedback_type: z.string().max(100).optional() }),
    }),
    scope: 'message',
  },
  'message.rejected': {
    description: 'A message was rejected before sending.',
    data: z.strictObject({ message: Message, rejection: z.looseObject({ reason: z.string().max(2_000) }) }),
    scope: 'message',
  },
  'message.delivery_delayed': {
    description: 'Delivery of a sent message is delayed; the platform keeps trying.',
    data: z.strictObject({
      message: Message,
      delay: z.looseObject({ reason: z.string().max(2_000).optional(), next_attempt_at: iso.optional() }).optional(),
    }),
    scope: 'message',
  },
  'domain.verified': {
    description: 'A sending domain passed DNS verification.',
    data: z.strictObject({ domain: z.looseObject({ id: z.string().min(1), name: z.string().min(1).max(253) }) }),
    scope: 'account',
  },
  'account.upgraded': {
    description: "The account's plan changed.",
    data: z.strictObject({
      account: z.looseObject({ plan: z.string().min(1).max(100), previous_plan: z.string().max(100).optional() }),
    }),
    scope: 'account',
  },
  'webhook.unhealthy': {
    description: 'One of the account’s webhooks failed repeatedly and was marked unhealthy (emitted by Herald).',
    data: z.strictObject({ webhook: WebhookSummary }),
    scope: 'account',
    internal: true,
  },
  'webhook.test': {
    description: 'A test event sent on request to check an endpoint (emitted by Herald).',
    data: z.strictObject({ webhook: z.looseObject({ id: z.string(), url: z.string() }), message: z.string() }),
    scope: 'account',
    internal: true,
  },
} as const satisfies Record<string, EventTypeDefinition>;

export type EventType = keyof typeof EVENT_CATALOGUE;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as [EventType, ...EventType[]];

export const EventTypeSchema = z.enum(EVENT_TYPES);

/** Types a producer may publish through `events.publish`. */
export const PUBLISHABLE_EVENT_TYPES = EVENT_TYPES.filter((type) => !('internal' in EVENT_CATALOGUE[type])) as [EventType, ...EventType[]];

export function isAccountLevel(type: EventType): boolean {
  return EVENT_CATALOGUE[type].scope === 'account';
}
