// JSON Schemas (draft 2020-12) of the payloads daimon.email documents for its webhook events
// (seeds/daimon-webhook-events.txt): the type's own fields, i.e. everything of the documented example
// but the envelope (`event`, `event_id`, `timestamp`, `account_id`, `inbox_id`). Written from the page's
// examples and field tables; every documented example validates against its schema (a unit test checks).
//
// Objects stay open (no `additionalProperties: false`): producers add fields faster than the catalogue
// changes, and refusing them would lose data. Required are the fields the page's tables and use cases
// rely on; the rest is typed where present.

type JsonSchema = Record<string, unknown>;

const string = { type: 'string' } as const;
const strings = { type: 'array', items: string } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;

/** `original_message` of a bounce or complaint: the message that was sent. */
const originalMessage = {
  type: 'object',
  properties: { id: string, to: string, subject: string, sent_at: dateTime },
} as const;

export const DAIMON_MESSAGE_RECEIVED: JsonSchema = {
  type: 'object',
  required: ['message'],
  properties: {
    message: {
      type: 'object',
      description: 'The received email.',
      required: ['id', 'from', 'to'],
      properties: {
        id: string,
        inbox_id: string,
        thread_id: string,
        from: { type: 'string', description: 'Sender email address.' },
        to: strings,
        cc: strings,
        bcc: strings,
        subject: string,
        body: { type: 'string', description: 'Full email body (includes quoted text).' },
        html_body: { type: ['string', 'null'] },
        reply_body: { type: 'string', description: 'Extracted reply text (excludes quoted history).' },
        plain_body: string,
        attachments: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: string, filename: string, content_type: string, size: { type: 'integer', minimum: 0 }, url: string },
          },
        },
        links: strings,
        cta_links: strings,
        labels: strings,
        read: { type: 'boolean' },
        headers: { type: 'object' },
        spam_score: { type: 'number', description: 'Spam score (0-10, lower is better).' },
        received_at: dateTime,
        created_at: dateTime,
      },
    },
  },
};

export const DAIMON_MESSAGE_BOUNCED: JsonSchema = {
  type: 'object',
  required: ['message_id', 'bounce'],
  properties: {
    message_id: string,
    bounce: {
      type: 'object',
      required: ['type', 'recipient'],
      properties: {
        type: { enum: ['permanent', 'temporary'], description: 'permanent (hard bounce) or temporary (soft bounce).' },
        recipient: { type: 'string', description: 'Email address that bounced.' },
        reason: string,
        smtp_code: { type: 'integer', description: 'SMTP status code (e.g. 550, 554).' },
        bounced_at: dateTime,
        diagnostic_code: string,
      },
    },
    original_message: originalMessage,
  },
};

export const DAIMON_MESSAGE_COMPLAINT: JsonSchema = {
  type: 'object',
  required: ['message_id', 'complaint'],
  properties: {
    message_id: string,
    complaint: {
      type: 'object',
      required: ['recipient'],
      properties: {
        recipient: { type: 'string', description: 'Email address that marked the message as spam.' },
        feedback_type: { type: 'string', description: 'Type of complaint (abuse, fraud, virus, other).' },
        complaint_date: dateTime,
        user_agent: string,
      },
    },
    original_message: originalMessage,
  },
};

export const DAIMON_ACCOUNT_UPGRADED: JsonSchema = {
  type: 'object',
  required: ['upgrade'],
  properties: {
    upgrade: {
      type: 'object',
      required: ['from_tier', 'to_tier'],
      properties: {
        from_tier: { type: 'string', description: 'Previous tier (free, developer, growth).' },
        to_tier: { type: 'string', description: 'New tier (developer, growth, enterprise).' },
        upgraded_at: dateTime,
        stripe_subscription_id: string,
        new_limits: {
          type: 'object',
          description: 'Updated account limits.',
          properties: {
            max_inboxes: { type: 'integer', description: '-1: unlimited.' },
            max_sends_per_day: { type: 'integer' },
            webhooks_enabled: { type: 'boolean' },
            custom_domains_enabled: { type: 'boolean' },
            max_custom_domains: { type: 'integer' },
          },
        },
      },
    },
  },
};

export const DAIMON_WEBHOOK_UNHEALTHY: JsonSchema = {
  type: 'object',
  required: ['webhook_id', 'webhook'],
  properties: {
    webhook_id: string,
    webhook: {
      type: 'object',
      required: ['id', 'url', 'events', 'status', 'failure_count'],
      properties: {
        id: string,
        url: string,
        events: strings,
        status: string,
        failure_count: { type: 'integer', minimum: 0, description: 'Number of consecutive failures.' },
        last_error: { type: ['string', 'null'], description: 'Most recent error message.' },
        last_success_at: nullableDateTime,
        last_failure_at: nullableDateTime,
      },
    },
  },
};
