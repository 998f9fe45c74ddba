// The benchmark's own view of Temporal: visibility counts (to know when a phase is finished) and
// workflow histories (to count what a delivery costs). A separate connection from the measured
// processes; its few calls are the same for the baseline and for Herald.

import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import protos from '@temporalio/proto';

export interface BenchTemporal {
  client: Client;
  /** Workflows on a task queue (optionally of one type) in a status, e.g. 'Running', 'Completed'. */
  count(taskQueue: string, status: string, workflowType?: string): Promise<number>;
  /**
   * Polls until at least `target` workflows completed on the task queue; resolves with performance.now()
   * of the observation that saw it (so within POLL_MS of the truth), or undefined on timeout.
   */
  waitCompleted(taskQueue: string, target: number, timeoutMs: number, workflowType?: string): Promise<number | undefined>;
  /** Events of every run of a workflow id (follows continue-as-new); undefined when it does not exist. */
  historyEventTypes(workflowId: string): Promise<string[] | undefined>;
  close(): Promise<void>;
}

export const POLL_MS = 100;

export async function connectBenchTemporal(address: string, namespace = 'default'): Promise<BenchTemporal> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const quote = (s: string) => `'${s.replaceAll("'", "\\'")}'`;
  const count = async (taskQueue: string, status: string, workflowType?: string) => {
    const type = workflowType ? ` AND WorkflowType = ${quote(workflowType)}` : '';
    const result = await client.workflow.count(`TaskQueue = ${quote(taskQueue)} AND ExecutionStatus = ${quote(status)}${type}`);
    return result.count;
  };
  return {
    client,
    count,
    async waitCompleted(taskQueue, target, timeoutMs, workflowType) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if ((await count(taskQueue, 'Completed', workflowType)) >= target) return performance.now();
        await sleep(POLL_MS);
      }
      return undefined;
    },
    async historyEventTypes(workflowId) {
      const runs: string[] = [];
      for await (const execution of client.workflow.list({ query: `WorkflowId = ${quote(workflowId)}` })) runs.push(execution.runId);
      if (runs.length === 0) return undefined;
      const types: string[] = [];
      for (const runId of runs) {
        try {
          const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
          for (const event of history.events ?? []) types.push(eventTypeName(event.eventType));
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return types;
    },
    close: () => connection.close(),
  };
}

// The proto enum as a readable name (EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED → WorkflowExecutionSignaled).
const EVENT_TYPE_NAMES = Object.fromEntries(
  Object.entries(protos.temporal.api.enums.v1.EventType)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [
      value,
      name
        .replace(/^EVENT_TYPE_/, '')
        .toLowerCase()
        .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
    ]),
) as Record<number, string>;

function eventTypeName(type: unknown): string {
  if (typeof type === 'string') return type;
  return EVENT_TYPE_NAMES[Number(type)] ?? String(type);
}
