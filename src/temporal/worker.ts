// The Temporal worker: Herald's workflows plus activities built from injected dependencies.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NativeConnection, type WorkerOptions as SdkWorkerOptions, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../../activities/index.js';
import { type Tracing, tracingOff } from '../tracing/tracing.js';
import { WORKFLOW_INTERCEPTORS_PATH } from './workflow-paths.js';

// Run from source (tsx) this file is .ts; built (`npm run build`, dist/) it is .js: bundle the same kind.
const extension = import.meta.url.endsWith('.js') ? 'js' : 'ts';
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../../workflows/index.${extension}`, import.meta.url));
/** `npm run build` bundles the workflows ahead of time (scripts/bundle-workflows.ts) into dist/workflow-bundle.js. */
export const PREBUILT_BUNDLE_PATH = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));

/** Built (dist/) with its bundle beside it: that bundle, so that a worker starts without bundling. */
function prebuiltBundle(): WorkflowBundleOption | undefined {
  return extension === 'js' && existsSync(PREBUILT_BUNDLE_PATH) ? { codePath: PREBUILT_BUNDLE_PATH } : undefined;
}

/** What every bundle of Herald's workflows is made of (a prebuilt one too): the workflows and the tracing interceptors. */
export const WORKFLOW_BUNDLE = { workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH] };

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (tests build one for the whole run; dist/workflow-bundle.js when built); otherwise bundled at start (a few seconds). */
  workflowBundle?: WorkflowBundleOption;
  /** From HERALD_SHUTDOWN_GRACE (see shutdown-budget.ts). */
  shutdown: { graceMs: number; forceMs: number };
  /** Overrides of WORKER_TUNING's slot counts (tests use few slots to fill them with few deliveries). */
  slots?: WorkerSlots;
  /** HERALD_SPEEDUP_VM_PATCH (scripts/patch-temporal-vm.mjs); unset means on. */
  vmPatch?: boolean;
  /** The tracing interceptors and sink (tracing.ts); without it, tracing off (the workflow interceptors are bundled all the same). */
  tracing?: Pick<Tracing, 'workerInterceptors' | 'sinks'>;
}

export type WorkerSlots = Partial<Pick<SdkWorkerOptions, 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentLocalActivityExecutions'>>;

/** Herald's worker tuning; the benchmark's Temporal baseline runs with exactly these settings. */
export const WORKER_TUNING = {
  // Deliveries are short and mostly waiting on HTTP: many run at once on one process. Their attempts
  // are local activities, so the hot path never touches the activity task queue. A workflow task slot
  // stays taken while its attempt runs, and an eager start needs a free one: with too few, a burst
  // (an event to 10 webhooks, 32 publishes in flight) falls back to the task queue, which cost the
  // Temporal server ≈ 50 % more CPU per delivery in `npm run bench`.
  maxConcurrentWorkflowTaskExecutions: 500,
  maxConcurrentLocalActivityExecutions: 500,
  maxCachedWorkflows: 2_000,
  // Regular activities are the rare, heavy ones (a fan-out page POSTs to or starts up to 100
  // deliveries, a recover page resets up to 100 workflows; retention deletes a batch): a few at a
  // time, and few idle long polls on the server.
  maxConcurrentActivityTaskExecutions: 20,
  maxConcurrentActivityTaskPolls: 2,
} as const;

function withWorkflows(bundle: WorkflowBundleOption | undefined): Pick<SdkWorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH };
}

export function createWorker(options: WorkerOptions): Promise<Worker> {
  // The patched SDK reads this marker in the worker's threads, which copy the environment when they
  // start: set before Worker.create, and only here (it is not configuration; HERALD_SPEEDUP_VM_PATCH is).
  if (options.vmPatch === false) process.env.__HERALD_VM_PATCH = 'off';
  else delete process.env.__HERALD_VM_PATCH;
  const tracing = options.tracing ?? tracingOff();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...withWorkflows(options.workflowBundle ?? prebuiltBundle()),
    activities: createActivities(options.deps),
    interceptors: tracing.workerInterceptors,
    sinks: tracing.sinks,
    ...WORKER_TUNING,
    ...options.slots,
    // In-flight attempts may finish on SIGTERM (their POST's timeout is shorter); past the force time the
    // worker is given up on and the HTTP sender abandons what is left (see shutdown-budget.ts).
    shutdownGraceTime: options.shutdown.graceMs,
    shutdownForceTime: options.shutdown.forceMs,
  });
}
