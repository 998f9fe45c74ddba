// The signals, updates and queries Herald's workflows accept, defined once for both sides: the
// workflows set handlers for them, the API and the activities send them through the client.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AttemptOutcome } from '../src/domain/delivery.js';
import type { DisableReply, EnableReply, HealthReport, HealthView } from '../src/domain/health.js';

/** An attempt's outcome that matters to health (a failure, or the first success after failures). */
export const reportSignal = defineSignal<[HealthReport]>('report');
/** The webhook was deleted: release (and so cancel) its parked deliveries, then end. */
export const deletedSignal = defineSignal('deleted');
export const enableUpdate = defineUpdate<EnableReply>('enable');
export const disableUpdate = defineUpdate<DisableReply>('disable');
export const healthQuery = defineQuery<HealthView>('health');

/**
 * Sent to a parked delivery: make the next attempt now. Completes with that attempt's outcome, so the
 * caller can release deliveries one after the other, in order.
 */
export const releaseUpdate = defineUpdate<AttemptOutcome>('release');
