// What `webhooks.test` can send: Herald's own `webhook.test` (the default), the sample `message.received`
// that daimon.email's `POST /v1/webhooks/{id}/test` is documented to send (its page's example payload,
// verbatim), and Sendmux's `sendmux.test`. Only the envelope (`event_id`, `timestamp`, `account_id`) is
// Herald's; the fields of each sample are fixed.

import { DAIMON_EVENT_EXAMPLES } from '../domain/daimon-event-examples.js';

/** The types `webhooks.test` can send; a test reaches the webhook whatever it subscribes to. */
export const TEST_EVENT_TYPES = ['webhook.test', 'message.received', 'sendmux.test'] as const;
export type TestEventType = (typeof TEST_EVENT_TYPES)[number];

export interface TestSample {
  type: TestEventType;
  inbox_id: string | null;
  /** The type's own fields, at the envelope's top level. */
  data: Record<string, unknown>;
}

/** daimon.email's documented `message.received` example, split into the envelope's inbox and the type's own fields. */
function daimonMessageReceived(): { inbox_id: string; data: Record<string, unknown> } {
  const {
    event: _event,
    event_id: _id,
    timestamp: _at,
    account_id: _account,
    inbox_id,
    ...data
  } = DAIMON_EVENT_EXAMPLES['message.received'] as Record<string, unknown>;
  return { inbox_id: inbox_id as string, data: structuredClone(data) };
}

export function testSample(type: TestEventType, webhook: { _id: string; url: string }): TestSample {
  switch (type) {
    case 'message.received':
      return { type, ...daimonMessageReceived() };
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
