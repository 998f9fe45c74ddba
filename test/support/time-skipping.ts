// The time-skipping workflow tests' environment: Temporal's Java test server (one per test file, from
// the wrapper test-server-setup.ts found), a worker on the bundled workflow code with the test's
// activities, and the recording of histories for the replay test (test/unit/workflow-replay.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { installTemporalRuntime } from '../../src/temporal/runtime.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/temporal/search-attributes.js';
import { tracingOff } from '../../src/tracing/tracing.js';
import { HISTORIES_DIR } from './histories-dir.js';
import { historyToJsonText } from './history-json.js';

/** `path`: the wrapper script; the workflows project's setup provides it, other tests find it themselves. */
export async function startTestEnvironment(path: string = inject('testServerPath')): Promise<TestWorkflowEnvironment> {
  // The SDK's worker logs at WARN and above only (INFO is a line per worker state change).
  installTemporalRuntime('info');
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
  });
  // The delivery workflow upserts DeliveryStatus; the test server accepts only registered attributes.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_NAMES.map((name) => [name, 2 /* KEYWORD */])),
  });
  return env;
}

let queues = 0;

/** A worker on its own task queue, running `fn` (which starts workflows on that queue). */
export async function withWorker<T>(env: TestWorkflowEnvironment, activities: object, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `wf-test-${process.pid}-${++queues}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
    // The bundle holds the tracing interceptors (workflows/interceptors.ts): their spans go nowhere here.
    sinks: tracingOff().sinks,
  });
  return worker.runUntil(fn(taskQueue));
}

/**
 * With RECORD_HISTORIES=1 (`npm run test:record-histories`), writes the workflow's history, every
 * run of it, to test/histories/<name>[.run-N].json for the replay test. Otherwise does nothing.
 */
export async function recordHistory(
  env: TestWorkflowEnvironment,
  name: string,
  handle: WorkflowHandleWithFirstExecutionRunId,
): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const runIds: string[] = [];
  for (let runId: string | undefined = handle.firstExecutionRunId; runId; ) {
    runIds.push(runId);
    const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    const file = runIds.length === 1 && !runId ? `${name}.json` : `${name}.run-${runIds.length}.json`;
    writeFileSync(join(HISTORIES_DIR, file), historyToJsonText(history));
  }
}
