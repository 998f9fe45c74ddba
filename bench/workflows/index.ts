// The Temporal baseline's workflows (bench only, bundled by the baseline child): one trivial activity,
// and one trivial local activity — the least a workflow can do, against which Herald is compared.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { baselineActivities } from '../baseline-activities.js';

type Activities = typeof baselineActivities;

const { noop } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });
const { noop: localNoop } = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function oneActivityWorkflow(): Promise<void> {
  await noop();
}

export async function oneLocalActivityWorkflow(): Promise<void> {
  await localNoop();
}
