// What `webhooks.test` can send: Herald's own `webhook.test` (the default), the sample `message.received`
// that daimon.email's `POST /v1/webhooks/{id}/test` is documented to send (its page's example payload,
// verbatim), and Sendmux's `sendmux.test`. Only the envelope (`event_id`, `timestamp`, `account_id`) is
// Herald's; the fields of each sample are fixed.

/** The types `webhooks.test` can send; a test reaches the webhook whatever it subscribes to. */
export const TEST_EVENT_TYPES = ['webhook.test', 'message.received', 'sendmux.test'] as const;
export type TestEventType = (typeof TEST_EVENT_TYPES)[number];

export interface TestSample {
  type: TestEventType;
  inbox_id: string | null;
  /** The type's own fields, at the envelope's top level. */
  data: Record<string, unknown>;
}

/**
 * daimon.email's documented `message.received` example (seeds/daimon-webhook-events.txt) without its
 * envelope fields (`event`, `event_id`, `timestamp`, `account_id`, `inbox_id`), which Herald fills in.
 */
const DAIMON_MESSAGE_RECEIVED_INBOX = 'inbox_abc123';
const DAIMON_MESSAGE_RECEIVED = {
  message: {
    id: 'msg_def456',
    inbox_id: 'inbox_abc123',
    thread_id: 'thread_ghi789',
    from: 'user@example.com',
    to: ['agent@daimon.email'],
    cc: [],
    bcc: [],
    subject: 'Request for analysis',
    body: 'Hi Agent,\n\nPlease analyze the attached data.\n\nThanks,\nUser',
    html_body: '<p>Hi Agent,</p><p>Please analyze the attached data.</p><p>Thanks,<br>User</p>',
    reply_body: 'Please analyze the attached data.',
    plain_body: 'Hi Agent,\n\nPlease analyze the attached data.\n\nThanks,\nUser',
    attachments: [
      {
        id: 'att_jkl012',
        filename: 'data.csv',
        content_type: 'text/csv',
        size: 1024,
        url: 'https://api.daimon.email/v1/messages/msg_def456/attachments/att_jkl012',
      },
    ],
    links: ['https://example.com/data-source'],
    cta_links: [],
    labels: [],
    read: false,
    headers: {
      'message-id': '<abc123@mail.example.com>',
      'in-reply-to': null,
      references: null,
      date: '2026-03-16T10:30:42Z',
      'return-path': 'user@example.com',
    },
    spam_score: 0.1,
    received_at: '2026-03-16T10:30:45Z',
    created_at: '2026-03-16T10:30:45Z',
  },
};

export function testSample(type: TestEventType, webhook: { _id: string; url: string }): TestSample {
  switch (type) {
    case 'message.received':
      return { type, inbox_id: DAIMON_MESSAGE_RECEIVED_INBOX, data: structuredClone(DAIMON_MESSAGE_RECEIVED) };
    case 'webhook.test':
    case 'sendmux.test':
      // Sendmux documents no payload for sendmux.test: it carries the same fields as webhook.test.
      return {
        type,
        inbox_id: null,
        data: { webhook: { id: webhook._id, url: webhook.url }, message: 'This is a test event from Herald.' },
      };
  }
}
