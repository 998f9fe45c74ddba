// The payload examples of daimon.email's "Webhook Event Reference" (seeds/daimon-webhook-events.txt),
// copied verbatim into test/fixtures/daimon-webhook-events.json (keyed by event type).
import examples from '../fixtures/daimon-webhook-events.json' with { type: 'json' };

export const DAIMON_EXAMPLES = examples;

export type DaimonExample = Record<string, unknown> & { event: string; event_id: string; timestamp: string; account_id: string };

/** daimon's envelope fields; every other top-level field of an example is the type's own (`data`). */
const ENVELOPE = new Set(['event', 'event_id', 'timestamp', 'account_id', 'inbox_id']);

/**
 * An example as `events.publish` input: `event`/`event_id`/`inbox_id` become `type`/`event_id`/
 * `inbox_id`, `timestamp` becomes `occurred_at`, every other top-level field goes into `data`.
 */
export function publishInputOf(example: DaimonExample) {
  const data = Object.fromEntries(Object.entries(example).filter(([key]) => !ENVELOPE.has(key)));
  return {
    type: example.event,
    event_id: example.event_id,
    occurred_at: example.timestamp,
    ...(typeof example.inbox_id === 'string' ? { inbox_id: example.inbox_id } : {}),
    data,
  };
}

export function allExamples(): DaimonExample[] {
  return Object.values(DAIMON_EXAMPLES) as DaimonExample[];
}
