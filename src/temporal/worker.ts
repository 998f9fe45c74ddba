// The Temporal worker: Herald's workflows plus activities built from injected dependencies.
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../../activities/index.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (tests build one for the whole run); otherwise bundled at start (a few seconds). */
  workflowBundle?: WorkflowBundleOption;
}

/** Herald's worker tuning; the benchmark's Temporal baseline runs with exactly these settings. */
export const WORKER_TUNING = {
  // Deliveries are short and mostly waiting on HTTP: many run at once on one process.
  maxConcurrentWorkflowTaskExecutions: 100,
  maxConcurrentLocalActivityExecutions: 200,
  maxCachedWorkflows: 2_000,
  // Let in-flight attempts finish on SIGTERM (their POST has a timeout well below this).
  shutdownGraceTime: '30 seconds',
} as const;

export function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    ...WORKER_TUNING,
  });
}
