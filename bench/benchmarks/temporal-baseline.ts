// 2. The Temporal baseline: N workflows of one trivial activity (or local activity) on the same server,
// with Herald's worker settings and eager start → workflows/s and CPU ms per workflow.
import { randomBytes } from 'node:crypto';
import type { WorkerOptions } from '@temporalio/worker';
import type { Stack } from '../../test/support/stack.js';
import type { BaselineInput } from '../baseline-child.js';
import { startChild } from '../lib/child.js';
import { meter, perUnit } from '../lib/meter.js';
import { round } from '../lib/stats.js';
import type { BenchTemporal } from '../lib/temporal.js';

export interface BaselineResult {
  workflowType: BaselineInput['workflowType'];
  workflows: number;
  concurrency: number;
  workflowsPerSecond: number | null;
  elapsedMs: number | null;
  cpuMsPerWorkflow: Record<string, number>;
  workerOptions?: Partial<WorkerOptions>;
}

export async function runBaseline(
  stack: Stack,
  temporal: BenchTemporal,
  options: { workflowType: BaselineInput['workflowType']; count: number; concurrency: number; workerOptions?: Partial<WorkerOptions> },
): Promise<BaselineResult> {
  const taskQueue = `baseline-${randomBytes(3).toString('hex')}`;
  const input: BaselineInput = { temporalAddress: stack.temporalAddress, taskQueue, ...options };
  const child = startChild('bench/baseline-child.ts', input);
  try {
    await child.next('ready');
    const cost = await meter({ temporal: stack.temporalPid(), worker: child.pid });
    const started = performance.now();
    child.send('go');
    await child.next('started');
    const done = await temporal.waitCompleted(taskQueue, options.count, 10 * 60_000);
    const { cpuMs } = await cost.stop();
    const elapsedMs = done === undefined ? null : done - started;
    return {
      workflowType: options.workflowType,
      workflows: options.count,
      concurrency: options.concurrency,
      workflowsPerSecond: elapsedMs === null ? null : round((options.count / elapsedMs) * 1000, 1),
      elapsedMs: elapsedMs === null ? null : round(elapsedMs, 0),
      cpuMsPerWorkflow: perUnit(cpuMs, options.count, ['temporal', 'worker']),
      ...(options.workerOptions ? { workerOptions: options.workerOptions } : {}),
    };
  } finally {
    child.send('stop');
    await child.end();
  }
}
