// Helpers for the health tests: a receiver whose answer the test switches, and short-hands for
// deliveries, parked states and what a receiver saw.
import { expect } from 'vitest';
import { deliveryId } from '../../src/domain/ids.js';
import { healthWorkflowId } from '../../src/temporal/workflow-ids.js';
import type { TestHerald } from './herald.js';
import { type Receiver, type Reply, startReceiver } from './receiver.js';

export const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'], subject: 'Hello' };

/** A receiver whose answer the test switches as it goes. */
export async function switchableReceiver(initial: Reply): Promise<Receiver & { answer(reply: Reply): void }> {
  const receiver = await startReceiver(() => initial);
  return Object.assign(receiver, {
    answer(reply: Reply) {
      receiver.reply = () => reply;
    },
  });
}

/** The `event_id` of every request the receiver got, in arrival order. */
export function eventIds(receiver: Receiver, from = 0): string[] {
  return receiver.requests.slice(from).map((r) => (JSON.parse(r.body) as { event_id: string }).event_id);
}

export async function deliveryStatus(herald: TestHerald, accountId: string, webhookId: string, eventId: string) {
  return (await herald.deps.store.deliveries.get(accountId, deliveryId(webhookId, eventId)))?.status;
}

export async function waitForStatus(
  herald: TestHerald,
  accountId: string,
  webhookId: string,
  eventIds: string[],
  statuses: string[],
): Promise<void> {
  for (const eventId of eventIds) {
    await expect.poll(() => deliveryStatus(herald, accountId, webhookId, eventId), { timeout: 30_000 }).toBeOneOf(statuses);
  }
}

export function healthHandle(herald: TestHerald, webhookId: string) {
  return herald.deps.temporal.workflow.getHandle(healthWorkflowId(webhookId));
}

/** Signals the health workflow's history shows (all runs of the chain). */
export async function signalsReceived(herald: TestHerald, webhookId: string): Promise<number> {
  let signals = 0;
  let runId: string | undefined;
  const seen = new Set<string>();
  // Walk back from the latest run through its predecessors (continue-as-new).
  for (;;) {
    const handle = herald.deps.temporal.workflow.getHandle(healthWorkflowId(webhookId), runId);
    const description = await handle.describe();
    if (seen.has(description.runId)) break;
    seen.add(description.runId);
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    signals += events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runId = previous;
  }
  return signals;
}
