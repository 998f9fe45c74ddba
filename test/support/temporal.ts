// Reading what Temporal recorded: histories, timers and the visibility API, as an operator would.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/temporal/search-attributes.js';

const { EventType } = proto.temporal.api.enums.v1;

export type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export async function historyOf(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

/** `EVENT_TYPE_MARKER_RECORDED` → `MarkerRecorded`. */
export function eventTypeName(event: HistoryEvent): string {
  const name = EventType[event.eventType ?? 0] ?? 'UNKNOWN';
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/** The durations of the durable timers the workflow started (the waits between attempts). */
export function timerDurations(events: HistoryEvent[]): number[] {
  return events.flatMap((e) => {
    const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
  });
}

/** Workflow ids and Herald's search attributes matching a visibility query (eventually consistent: poll). */
export async function visible(client: Client, query: string): Promise<Array<{ workflowId: string; attributes: Record<string, unknown> }>> {
  const found: Array<{ workflowId: string; attributes: Record<string, unknown> }> = [];
  for await (const execution of client.workflow.list({ query })) {
    const attributes = Object.fromEntries(
      execution.typedSearchAttributes
        .getAll()
        .filter((pair) => (SEARCH_ATTRIBUTE_NAMES as readonly string[]).includes(pair.key.name))
        .map((pair) => [pair.key.name, pair.value]),
    );
    found.push({ workflowId: execution.workflowId, attributes });
  }
  return found;
}
