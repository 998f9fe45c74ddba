// Herald's maintenance runs on Temporal schedules, created or brought up to date at every worker start
// (idempotent: several processes may start at once), so a change of configuration applies on restart.
import { type Client, ScheduleAlreadyRunning, type ScheduleOptions } from '@temporalio/client';
import type { reconcilerWorkflow } from '../../workflows/reconciler.js';
import type { retentionWorkflow } from '../../workflows/retention.js';
import type { Config } from '../config/env.js';
import { reconcilerScheduleId, retentionScheduleId } from './workflow-ids.js';

/** Documents per delete in a retention pass. */
export const RETENTION_BATCH = 1_000;

export function heraldSchedules(config: Config): ScheduleOptions[] {
  const taskQueue = config.temporal.taskQueue;
  return [
    {
      scheduleId: reconcilerScheduleId(taskQueue),
      spec: { intervals: [{ every: config.maintenance.reconcileIntervalMs }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'reconcilerWorkflow',
        workflowId: reconcilerScheduleId(taskQueue),
        taskQueue,
        args: [{ olderThanMs: config.maintenance.reconcileAfterMs }] satisfies Parameters<typeof reconcilerWorkflow>,
        staticSummary: 'dispatch events stored but not dispatched',
      },
      // A pass still running when the next is due makes the next one unnecessary.
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
    },
    {
      scheduleId: retentionScheduleId(taskQueue),
      spec: { intervals: [{ every: config.maintenance.retentionIntervalMs }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'retentionWorkflow',
        workflowId: retentionScheduleId(taskQueue),
        taskQueue,
        args: [{ retentionDays: config.delivery.retentionDays, batchSize: RETENTION_BATCH }] satisfies Parameters<typeof retentionWorkflow>,
        staticSummary: `delete events and deliveries older than ${config.delivery.retentionDays} days`,
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
    },
  ];
}

export async function ensureSchedules(client: Client, config: Config): Promise<void> {
  for (const options of heraldSchedules(config)) {
    try {
      await client.schedule.create(options);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      const { scheduleId: _id, ...update } = options;
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...update, state: previous.state }));
    }
  }
}
