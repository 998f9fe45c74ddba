// Types and rules of a webhook's health, shared by the health workflow, the delivery workflow and their
// activities. Pure: no I/O, dates as ISO strings (they travel through Temporal payloads as JSON).

/** A webhook's health: `unhealthy` and `disabled` webhooks park their deliveries. */
export type WebhookStatus = 'active' | 'unhealthy' | 'disabled';

/**
 * What an attempt tells the health workflow. Sent only on a failure and on the first success after
 * failures, never on the ordinary success, so a healthy webhook costs the health workflow nothing.
 * `seq` and `failureCount` come from one update of the webhook's statistics (`webhook_stats`): reports
 * that arrive out of order (concurrent deliveries) are recognised by `seq` and ignored.
 */
export type HealthReport =
  | { kind: 'failure'; seq: number; failureCount: number; error: string | null; at: string; unhealthyAfter: number }
  | { kind: 'recovered'; seq: number; at: string }
  /** The receiver answered 410 Gone: the webhook is disabled. */
  | { kind: 'gone'; seq: number; failureCount: number; error: string | null; at: string };

export interface HealthState {
  status: WebhookStatus;
  /** Consecutive failed attempts (the statistics' `failure_count` as of `seq`). */
  failureCount: number;
  seq: number;
  lastError: string | null;
  lastFailureAt: string | null;
  /** The threshold the last failure report carried (the worker's HERALD_UNHEALTHY_AFTER). */
  unhealthyAfter: number;
  /** Parked deliveries are being released after an enable; new deliveries wait behind them. */
  resuming: boolean;
  /** Runs of this workflow so far (continue-as-new starts the next). */
  run: number;
}

export interface HealthInput {
  webhookId: string;
  accountId: string;
  /** Continue-as-new once the run's history has this many events (or the server suggests it). */
  historyMaxEvents: number;
  /** Carried over by continue-as-new; absent on the first run (loaded from MongoDB). */
  state?: HealthState;
}

/** `webhooks.enable`'s typed reply. */
export interface EnableReply {
  status: 'active';
  /** Parked deliveries at the time of the enable; they are sent again in the order of their events. */
  resumed_deliveries: number;
}

export interface DisableReply {
  status: 'disabled';
}

/** The health workflow's `health` query (also what an operator sees in the Temporal UI). */
export interface HealthView {
  webhook_id: string;
  status: WebhookStatus;
  failure_count: number;
  unhealthy_after: number;
  last_error: string | null;
  last_failure_at: string | null;
  resuming: boolean;
  run: number;
}

export type HealthEnd = { ended: 'deleted' };

/**
 * Applies a report to the state; returns what the workflow must now do. Stale reports (an older `seq`
 * than the state's, e.g. from before an enable) change nothing. A report with the state's own `seq`
 * applies (applying one twice changes nothing more): a health workflow started by a report loads the
 * statistics that report's attempt already wrote, so its state holds that `seq` before the report
 * arrives — treated as stale, a 410 from a new webhook's first attempt never disabled it.
 */
export function applyReport(state: HealthState, report: HealthReport): 'stale' | 'none' | 'unhealthy' | 'gone' {
  if (report.seq < state.seq) return 'stale';
  state.seq = report.seq;
  switch (report.kind) {
    case 'recovered':
      state.failureCount = 0;
      return 'none';
    case 'failure':
      state.failureCount = report.failureCount;
      state.lastError = report.error;
      state.lastFailureAt = report.at;
      state.unhealthyAfter = report.unhealthyAfter;
      return state.status === 'active' && state.failureCount >= state.unhealthyAfter ? 'unhealthy' : 'none';
    case 'gone':
      state.failureCount = report.failureCount;
      state.lastError = report.error;
      state.lastFailureAt = report.at;
      return state.status === 'disabled' ? 'none' : 'gone';
  }
}

export function healthView(webhookId: string, state: HealthState): HealthView {
  return {
    webhook_id: webhookId,
    status: state.status,
    failure_count: state.failureCount,
    unhealthy_after: state.unhealthyAfter,
    last_error: state.lastError,
    last_failure_at: state.lastFailureAt,
    resuming: state.resuming,
    run: state.run,
  };
}

/**
 * Whether the webhook holds (parks) a delivery instead of sending it: always while unhealthy or
 * disabled; while parked deliveries are being released, everything except the released ones waits,
 * so that the receiver sees events in the order they were published.
 */
export function holdsDelivery(webhook: { status: WebhookStatus; resuming?: boolean }, released: boolean): boolean {
  return webhook.status !== 'active' || (webhook.resuming === true && !released);
}
