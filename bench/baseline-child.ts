// Benchmark 2, the Temporal baseline: a worker with Herald's exact worker settings (WORKER_TUNING) that
// starts N trivial workflows itself, eagerly, through its own connection — as Herald's API does — with
// a bounded number of starts in flight. The parent times the run by polling visibility.
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { installTemporalRuntime } from '../src/temporal/runtime.js';
import { WORKER_TUNING } from '../src/temporal/worker.js';
import { baselineActivities } from './baseline-activities.js';
import { nextLine, report } from './lib/child.js';

export interface BaselineInput {
  temporalAddress: string;
  taskQueue: string;
  workflowType: 'oneActivityWorkflow' | 'oneLocalActivityWorkflow';
  count: number;
  concurrency: number;
  /** Tuning experiments: overrides of Herald's worker settings. */
  workerOptions?: Partial<WorkerOptions>;
}

const input = JSON.parse(process.argv[2] ?? '{}') as BaselineInput;
try {
  installTemporalRuntime('warn');
  const connection = await NativeConnection.connect({ address: input.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: input.taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
    activities: baselineActivities,
    ...WORKER_TUNING,
    ...input.workerOptions,
  });
  const running = worker.run();
  const client = new Client({ connection, namespace: 'default' });
  report('ready');
  if ((await nextLine()) !== 'go') process.exit(1);

  let next = 0;
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      while (next < input.count) {
        const i = next++;
        await client.workflow.start(input.workflowType, {
          workflowId: `${input.taskQueue}-${i}`,
          taskQueue: input.taskQueue,
          requestEagerStart: true,
        });
      }
    }),
  );
  report('started');
  await nextLine();
  worker.shutdown();
  await running;
  await connection.close();
  report('stopped');
} catch (error) {
  report('error', { message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
