import type { OrderComparison } from '../domain/reconcile/types.js';
import { jobIdTime } from './job-id.js';
import type { SyncTrigger } from './types.js';

/** By name, so the starter and schedules need not import workflow code. */
export const RECONCILE_WORKFLOW_TYPE = 'reconcileOrders';

export type ReconcileTrigger = Extract<SyncTrigger, 'manual' | 'schedule'>;

/** Input of reconcileOrders: no credentials, no records. */
export interface ReconcileInput {
  company: string;
  trigger: ReconcileTrigger;
  /** Inclusive YYYY-MM-DD; absent: the last SYNC_RECONCILE_DAYS days up to the job's start. */
  from?: string;
  /** Inclusive YYYY-MM-DD; absent: no upper bound. */
  to?: string;
  /** Cancel the store orders gone from Sage once compared (when SYNC_RECONCILE_GONE=cancel). */
  repair?: boolean;
}

/** What the cancellation of the gone orders did (ids only). */
export interface CancelOutcome {
  cancelled: string[];
  failed: Array<{ orderId: string; reason: string; status?: number }>;
}

/** The job's result: the comparison, plus what a repair cancelled. */
export interface ReconcileResult extends OrderComparison {
  jobId: string;
  company: string;
  trigger: ReconcileTrigger;
  repair: boolean;
  startedAt: string;
  finishedAt: string;
  cancellation?: CancelOutcome;
}

/** `reconcile-orders-SAMINC-manual-2026-11-28T10:15:00Z`: the sync jobs' grammar, `<kind>-<company>-<trigger>-<time>`. */
export function reconcileJobId(company: string, date: Date, trigger: ReconcileTrigger): string {
  return `reconcile-orders-${company}-${trigger}-${jobIdTime(date)}`;
}

/** The schedule appends `-<nominal time>`: `reconcile-orders-SAMINC-schedule-2026-11-29T04:00:00Z`. */
export function scheduledReconcileIdPrefix(company: string): string {
  return `reconcile-orders-${company}-schedule`;
}

/** `ml-connector-reconcile-orders-SAMINC`. */
export function reconcileScheduleId(company: string): string {
  return `ml-connector-reconcile-orders-${company}`;
}
