// Run by the retention schedule: deletes deliveries and events older than HERALD_RETENTION_DAYS, and
// expired Idempotency-Key records, in bounded batches until none are left, continuing as new to keep the
// history small.
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

const { purgeExpired } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes' });

const BATCHES_PER_RUN = 50;

export interface RetentionInput {
  retentionDays: number;
  batchSize: number;
  /** Carried across continue-as-new. */
  deleted?: { deliveries: number; events: number; keys?: number };
}

export async function retentionWorkflow(input: RetentionInput): Promise<{ deliveries: number; events: number; keys: number }> {
  const deleted = { deliveries: 0, events: 0, keys: 0, ...input.deleted };
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const result = await purgeExpired({ retentionDays: input.retentionDays, batchSize: input.batchSize });
    deleted.deliveries += result.deliveries;
    deleted.events += result.events;
    // Absent in activity results recorded before keys were purged: the same decisions on replay.
    const keys = result.keys ?? 0;
    deleted.keys += keys;
    if (result.deliveries < input.batchSize && result.events < input.batchSize && keys < input.batchSize) return deleted;
  }
  return continueAsNew<typeof retentionWorkflow>({ ...input, deleted });
}
